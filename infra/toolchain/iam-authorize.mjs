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
// "resource" is "" for an action that takes no resource (a wildcard-only action).
// Output: JSON lines on stdout, in order, one per request:
//   {"id": n, "result": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied",
//    "denials": [{policyType, statementId?}]}
//   or {"id": n, "error": "..."} when the request cannot be decided: an action
//   AWS does not have, a resource an action does not take, a malformed policy.

import { createInterface } from 'node:readline';
import { runSimulation, isWildcardOnlyAction, getDenialReasons } from '@cloud-copilot/iam-simulate';

async function decide(req) {
  const [service, name] = req.action.split(':');
  let wildcardOnly;
  try {
    wildcardOnly = await isWildcardOnlyAction(service, name || '');
  } catch {
    return { error: `${req.action} is not an IAM action` };
  }
  if (req.resource === '' && !wildcardOnly) {
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
  if (sim.resultType !== 'single') {
    return { error: `${req.action} on ${req.resource} did not simulate as one request (${sim.resultType})` };
  }
  const out = { result: sim.overallResult };
  if (sim.overallResult !== 'Allowed') {
    out.denials = getDenialReasons(sim.result.analysis);
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
