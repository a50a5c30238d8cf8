// `npm run bench`: every scenario, each next to its baseline measured in the same run.
// Usage: npm run bench [-- --duration 10 --e2e-duration 60 --rate 5000 --only e2e --soak]
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { e2eScenario } from './e2e.mjs';
import { inboxViewScenario } from './inbox-view.mjs';
import { listScenario } from './list.mjs';
import { inboxReadsScenario } from './inbox-reads.mjs';
import { report } from './lib/report.mjs';
import { postgresScenario } from './postgres.mjs';
import { prismScenario } from './prism.mjs';
import { sendScenario } from './send.mjs';
import { smppScenario } from './smpp.mjs';
import { webhookScenario } from './webhooks.mjs';
import { webhookFairnessScenario } from './webhook-fairness.mjs';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    'e2e-duration': { type: 'string', default: '60' },
    rate: { type: 'string', default: '5000' },
    only: { type: 'string' },
    soak: { type: 'boolean', default: false },
  },
});
const durationS = Number(values.duration);
const e2eDurationS = Number(values['e2e-duration']);
const rate = Number(values.rate);
const scenarios = {
  send: () => sendScenario({ durationS }),
  e2e: () => e2eScenario({ durationS: e2eDurationS, rate, soak: values.soak }),
  list: () => listScenario({ durationS }),
  'inbox-reads': () => inboxReadsScenario({ durationS }),
  webhooks: () => webhookScenario(),
  'webhook-fairness': () => webhookFairnessScenario(),
  postgres: () => postgresScenario({ durationS, rate }),
  prism: () => prismScenario({ durationS }),
  smpp: () => smppScenario(),
  'inbox-view': () => inboxViewScenario(),
};
const only = values.only?.split(',');
for (const name of only ?? []) if (!(name in scenarios)) throw new Error(`unknown scenario ${name}`);

const started = performance.now();
const results = [];
for (const [name, run] of Object.entries(scenarios)) {
  if (only && !only.includes(name)) continue;
  const load = loadavg()[0].toFixed(2);
  process.stderr.write(`running ${name} (load average ${load})...\n`);
  const t = performance.now();
  const rows = await run();
  for (const row of rows) row.loadAverage = Number(load);
  results.push(...rows);
  process.stderr.write(`  ${name} took ${Math.round((performance.now() - t) / 1000)} s\n`);
}
report(results, { elapsedS: Math.round((performance.now() - started) / 1000) });
