// run-state-machine.mjs runs one Step Functions execution locally with the
// pinned aws-local-stepfunctions, for landfall's Go package internal/localrun.
//
// Request (one JSON object on stdin):
//   { definition, input, context, machines: {<arn>: {definition, credentials}}, endpoint, region,
//     credentials: {accessKeyId, secretAccessKey, sessionToken}, retryIntervalMs, waitMs }
// credentials are the started machine's role's session; each machine of
// `machines` carries its own, which its child execution runs with, as Step
// Functions runs each machine as its own role.
// Output (JSON lines on stdout):
//   {"event": {...}} for each execution event, as it happens
//   {"result": {"status", "output", "error", "cause"}} once, at the end
//
// Task states run as they do in Step Functions, with Lambda calls going to the
// local endpoint's Lambda Invoke:
//   - a Lambda function ARN (LambdaInvoke with payloadResponseOnly) or
//     arn:aws:states:::lambda:invoke invokes the function; a function error
//     becomes an error named by its errorType whose cause is the error payload,
//     and a Lambda API error is named Lambda.<code>, as Step Functions names them;
//   - arn:aws:states:::states:startExecution(.sync, .sync:2) runs the target
//     definition from `machines` in this process and returns the
//     DescribeExecution shape; without .sync, it returns StartExecution's
//     response after the child has run.
// The only departures from AWS timing: every Retry interval is retryIntervalMs
// and every Wait state lasts waitMs, so a local run takes seconds.
//
// Step Functions' quotas ("Step Functions service quotas"; "Error handling in
// Step Functions workflows"), which end an execution as they do in AWS:
//   - 256 KiB (UTF-8) of input or output for a task or a state: a Task
//     state's input after Parameters, a function's result, or any state's
//     output beyond it fails the execution with States.DataLimitExceeded,
//     which States.ALL does not catch. The guide calls it terminal; the
//     runner also lets no Catch or Retry name it (the stricter reading).
//   - 25,000 events in one execution's history: the execution fails. The
//     events are counted as Step Functions records them (HistoryEvent, Step
//     Functions API Reference): a Task state is entered, scheduled, started,
//     (submitted, for .sync), succeeded or failed, and exited, and each retry
//     schedules and starts it again; a Map or Parallel state is started and
//     succeeds, and records each iteration's start and end along with the
//     states inside it. The documentation names no error for an execution
//     that reaches the quota: the runner reports States.Runtime, which no
//     Catch takes either.
//   - States.Runtime, for a resource the runner does not support, is not
//     caught by States.ALL either.

import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { StateMachine, ExecutionError, ExecutionTimeoutError, ExecutionAbortedError } from 'aws-local-stepfunctions';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';

const request = JSON.parse(readFileSync(0, 'utf8'));

// lambdaClients holds one Lambda client per role session, by access key.
const lambdaClients = new Map();

// lambdaAs is the Lambda client signing with credentials. Step Functions
// does its own retries (the definition's Retry fields), so the SDK must not
// retry underneath it.
function lambdaAs(credentials) {
  let client = lambdaClients.get(credentials.accessKeyId);
  if (!client) {
    client = new LambdaClient({ region: request.region, endpoint: request.endpoint, credentials, maxAttempts: 1 });
    lambdaClients.set(credentials.accessKeyId, client);
  }
  return client;
}

// TaskError is an error a Task state raises, matched by name in Retry and Catch.
class TaskError extends Error {
  constructor(name, cause) {
    super(cause);
    this.name = name;
  }
}

// TerminalError ends the execution: no Retry or Catch matches it, as
// aws-local-stepfunctions reads isRetryable and isCatchable.
class TerminalError extends TaskError {
  get isRetryable() {
    return false;
  }
  get isCatchable() {
    return false;
  }
}

const payloadLimit = 256 * 1024;
const historyLimit = 25000;

// tooLarge reports whether value, as JSON in UTF-8, exceeds the payload quota.
function tooLarge(value) {
  return value !== undefined && Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') > payloadLimit;
}

function dataLimit(state) {
  return { error: 'States.DataLimitExceeded', cause: `The state/task '${state}' returned a result with a size exceeding the maximum number of bytes service limit.` };
}

// historyEvents is how many events Step Functions records for one event of
// aws-local-stepfunctions, given each Task state's events per attempt.
function historyEvents(event, taskEvents) {
  const task = taskEvents[event.state?.name];
  const type = event.state?.type;
  const aggregate = type === 'Map' || type === 'Parallel';
  switch (event.type) {
    case 'StateEntered':
      return 1 + (task ?? 0) + (aggregate ? 1 : 0);
    case 'StateExited':
      return 1 + (task || aggregate ? 1 : 0);
    case 'StateRetried':
      return task ?? 0;
    case 'StateFailed':
      return task || aggregate ? 1 : 0;
    case 'StateCaught':
    case 'ParallelBranchStarted':
    case 'ParallelBranchSucceeded':
    case 'ParallelBranchFailed':
      return 0;
    default:
      return 1; // Execution* and MapIteration* events
  }
}

function emit(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

async function invokeLambda(credentials, functionName, payload) {
  let out;
  try {
    out = await lambdaAs(credentials).send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(payload ?? {})) }));
  } catch (err) {
    throw new TaskError(`Lambda.${err.name}`, err.message);
  }
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
  if (out.FunctionError) {
    let errorType = out.FunctionError;
    try {
      errorType = JSON.parse(text).errorType || errorType;
    } catch {
      // A payload that is not JSON keeps the FunctionError header as the name.
    }
    throw new TaskError(errorType, text);
  }
  return { payload: text === '' ? null : JSON.parse(text), statusCode: out.StatusCode, version: out.ExecutedVersion };
}

// startExecution runs a child execution to completion. With .sync it returns
// what DescribeExecution says of it, and fails as the child did; without, it
// returns StartExecution's response once the child has ended (Step Functions
// would return at once).
async function startExecution(resource, params, depth) {
  const arn = params.StateMachineArn;
  const machine = request.machines?.[arn];
  if (!machine) {
    throw new TaskError('StepFunctions.StateMachineDoesNotExistException', `State Machine Does Not Exist: '${arn}'`);
  }
  let input = params.Input ?? {};
  if (typeof input === 'string') input = JSON.parse(input);
  const name = params.Name ?? randomUUID();
  const executionArn = arn.replace(':stateMachine:', ':execution:') + ':' + name;
  const start = Date.now();
  const context = { Execution: { Id: executionArn, Name: name }, StateMachine: { Id: arn, Name: arn.split(':').pop() } };
  const result = await execute(machine.definition, machine.credentials, input, context, depth + 1);
  if (!resource.includes('.sync')) {
    return { ExecutionArn: executionArn, StartDate: start };
  }
  const sync2 = resource.endsWith(':2');
  const described = {
    ExecutionArn: executionArn,
    StateMachineArn: arn,
    Name: name,
    Status: result.status,
    StartDate: start,
    StopDate: Date.now(),
    Input: sync2 ? input : JSON.stringify(input),
    InputDetails: { Included: true },
  };
  if (result.status === 'SUCCEEDED') {
    described.Output = sync2 ? result.output : JSON.stringify(result.output);
    described.OutputDetails = { Included: true };
    return described;
  }
  described.Error = result.error;
  described.Cause = result.cause;
  throw new TaskError('States.TaskFailed', JSON.stringify(described));
}

// overrides returns a local handler for every Task state in the definition,
// nested ones included (state names are unique across a state machine), and
// the Retry and Wait timings; taskEvents are each Task state's history
// events per attempt besides its entry and exit. A handler ends the
// execution once limits.failure is set.
function overrides(definition, credentials, depth, limits) {
  const tasks = {};
  const retries = {};
  const waits = {};
  const taskEvents = {};
  const guard = (name, handler) => async (params) => {
    // Let the event loop deliver what came before, so a quota reached by an
    // earlier state stops this one.
    await new Promise((resolve) => setImmediate(resolve));
    if (limits.failure) throw new TerminalError(limits.failure.error, limits.failure.cause);
    if (tooLarge(params)) {
      throw new TerminalError('States.DataLimitExceeded', `The input of state '${name}' after Parameters exceeds the maximum number of bytes service limit.`);
    }
    const out = await handler(params);
    if (tooLarge(out)) {
      const failure = dataLimit(name);
      throw new TerminalError(failure.error, failure.cause);
    }
    return out;
  };
  const visit = (states) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Retry) retries[name] = request.retryIntervalMs;
      if (state.Type === 'Wait') waits[name] = request.waitMs;
      if (state.Type === 'Map') visit((state.ItemProcessor ?? state.Iterator)?.States);
      if (state.Type === 'Parallel') for (const branch of state.Branches ?? []) visit(branch.States);
      if (state.Type !== 'Task') continue;
      const resource = state.Resource;
      taskEvents[name] = resource.includes('.sync') ? 3 : 2;
      if (resource.startsWith('arn:aws:states:::states:startExecution')) {
        tasks[name] = guard(name, (params) => startExecution(resource, params, depth));
      } else if (resource.startsWith('arn:aws:states:::lambda:invoke')) {
        tasks[name] = guard(name, async (params) => {
          const r = await invokeLambda(credentials, params.FunctionName, params.Payload);
          return { ExecutedVersion: r.version, Payload: r.payload, StatusCode: r.statusCode };
        });
      } else if (/^arn:aws[a-z-]*:lambda:/.test(resource)) {
        tasks[name] = guard(name, async (payload) => (await invokeLambda(credentials, resource, payload)).payload);
      } else {
        tasks[name] = () => {
          throw new TerminalError('States.Runtime', `the local runner does not support the resource ${resource} (state ${name})`);
        };
      }
    }
  };
  visit(definition.States);
  return { handlers: { taskResourceLocalHandlers: tasks, retryIntervalOverrides: retries, waitTimeOverrides: waits }, taskEvents };
}

// machines holds each definition's StateMachine: constructing one validates
// the definition, which costs tens of milliseconds, and a sweep starts the
// same child definition once per account.
const machines = new Map();

function stateMachine(definition) {
  let machine = machines.get(definition);
  if (!machine) {
    machine = new StateMachine(definition, { validationOptions: { checkPaths: false } });
    machines.set(definition, machine);
  }
  return machine;
}

// execute runs one execution and reports how it ended, the way
// DescribeExecution does; it never throws for a failed execution.
async function execute(definition, credentials, input, context, depth) {
  if (depth > 8) {
    return { status: 'FAILED', error: 'States.Runtime', cause: 'child executions nested more than 8 deep' };
  }
  const machine = stateMachine(definition);
  // limits.failure is the quota that ended the execution, once one has.
  const limits = { failure: null };
  const { handlers, taskEvents } = overrides(definition, credentials, depth, limits);
  const execution = machine.run(input, { overrides: handlers, context });
  let history = 0;
  const forward = (async () => {
    for await (const event of execution.eventLogs) {
      emit({ event: summarize(event, context) });
      if (limits.failure) continue;
      history += historyEvents(event, taskEvents);
      if (history > historyLimit) {
        limits.failure = { error: 'States.Runtime', cause: `The execution reached the maximum number of history events (${historyLimit}).` };
      } else if (event.type === 'StateExited' && tooLarge(event.state.output)) {
        limits.failure = dataLimit(event.state.name);
      }
      if (limits.failure) execution.abort();
    }
  })();
  let outcome;
  try {
    outcome = { status: 'SUCCEEDED', output: await execution.result };
  } catch (err) {
    if (err instanceof ExecutionTimeoutError) {
      outcome = { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' };
    } else if (err instanceof ExecutionAbortedError) {
      outcome = { status: 'ABORTED', error: 'States.Aborted', cause: 'The execution was aborted' };
    } else if (err instanceof ExecutionError) {
      outcome = { status: 'FAILED', error: err.cause?.name, cause: err.cause?.message };
    } else {
      throw err;
    }
  }
  await forward;
  if (limits.failure) {
    outcome = { status: 'FAILED', ...limits.failure };
  }
  return outcome;
}

function summarize(event, context) {
  return {
    execution: context.Execution.Id,
    type: event.type,
    state: event.state?.name ?? event.parentState?.name,
    index: event.index,
    error: event.Error,
    cause: typeof event.Cause === 'string' ? event.Cause : undefined,
  };
}

try {
  const result = await execute(request.definition, request.credentials, request.input, request.context, 0);
  emit({ result });
} catch (err) {
  process.stderr.write(`run-state-machine: ${err.stack ?? err}\n`);
  process.exitCode = 1;
} finally {
  // Kept-alive connections to the endpoint would otherwise hold the process open.
  for (const client of lambdaClients.values()) client.destroy();
}
