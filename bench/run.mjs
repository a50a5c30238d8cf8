// `npm run bench`: every scenario, each next to its baseline measured in the same run.
// Usage: npm run bench [-- --duration 10 --only send]
import { parseArgs } from 'node:util';
import { report } from './lib/report.mjs';
import { postgresScenario } from './postgres.mjs';
import { sendScenario } from './send.mjs';
import { webhookScenario } from './webhooks.mjs';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, only: { type: 'string' } },
});
const durationS = Number(values.duration);
const scenarios = {
  send: () => sendScenario({ durationS }),
  webhooks: () => webhookScenario(),
  postgres: () => postgresScenario({ durationS }),
};

const results = [];
for (const [name, run] of Object.entries(scenarios)) {
  if (values.only && values.only !== name) continue;
  process.stderr.write(`running ${name} (${durationS} s per measurement)...\n`);
  results.push(...(await run()));
}
report(results);
