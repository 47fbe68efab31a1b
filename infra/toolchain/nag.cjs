// Runs the cdk-nag AwsSolutions checks over synthesized CloudFormation
// templates. cdk-nag v3 inspects constructs, so each template is loaded with
// CfnInclude into a stack with the legacy synthesizer (no BootstrapVersion
// parameter clash), and each suppression landfall wrote into a resource's
// metadata (cdk_nag.rules_to_suppress, with its reason) becomes an
// acknowledgement on that resource. Exits non-zero on any unacknowledged
// finding. Usage: node nag.cjs <template.json>...
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const modules = path.join(__dirname, 'node_modules');
const { App, Stack, LegacyStackSynthesizer, Validations } = require(path.join(modules, 'aws-cdk-lib'));
const { CfnInclude } = require(path.join(modules, 'aws-cdk-lib/cloudformation-include'));
const { AwsSolutionsChecks } = require(path.join(modules, 'cdk-nag'));

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node nag.cjs <template.json>...');
  process.exit(2);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'landfall-nag-'));
const app = new App({ outdir: path.join(work, 'out') });
files.forEach((file, i) => {
  const template = JSON.parse(fs.readFileSync(file, 'utf8'));
  // The CDK's own bootstrap parameter and rule belong to the stack being
  // built here, not to the included template.
  delete template.Parameters?.BootstrapVersion;
  delete template.Rules?.CheckBootstrapVersion;
  const copy = path.join(work, `template-${i}.json`);
  fs.writeFileSync(copy, JSON.stringify(template));
  // Numbered: two apps' templates may share a stack name.
  const stack = new Stack(app, `${path.basename(file, '.template.json')}-${i}`, { synthesizer: new LegacyStackSynthesizer() });
  const included = new CfnInclude(stack, 'Template', { templateFile: copy });
  let acknowledged = 0;
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
      if (!rule.reason || rule.reason.length < 10) {
        console.error(`${file}: ${id}: suppression of ${rule.id} has no written reason`);
        process.exit(1);
      }
      Validations.of(included.getResource(id)).acknowledge({ id: rule.id, reason: rule.reason });
      acknowledged++;
    }
  }
  console.log(`${path.basename(file)}: ${Object.keys(template.Resources ?? {}).length} resources, ${acknowledged} acknowledged findings`);
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
console.log('cdk-nag AwsSolutions: no unacknowledged findings');
