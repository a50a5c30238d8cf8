// `npm run bench`: every scenario, each next to its baseline measured in the same run, within 15
// minutes on two cores; `--quick` is a shorter pass of every scenario for development (~3-4 min).
// Usage: npm run bench [-- --quick --duration 10 --e2e-duration 60 --rate N --only ceiling,e2e --soak]
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { ceilingRows, measureCeiling } from './ceiling.mjs';
import { e2eScenario } from './e2e.mjs';
import { eventsScenario } from './events.mjs';
import { contactsScenario } from './contacts.mjs';
import { metricsScenario } from './metrics.mjs';
import { logsScenario } from './logs.mjs';
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

/** The whole run's budget: every scenario against its target within this. */
const BUDGET_S = 15 * 60;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    'e2e-duration': { type: 'string' },
    rate: { type: 'string' },
    only: { type: 'string' },
    soak: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
/** Seconds of each accept/list measurement (after its own warm-up). */
const durationS = Number(values.duration ?? (quick ? 3 : 8));
const e2eDurationS = Number(values['e2e-duration'] ?? (quick ? 10 : 60));
/** The e2e offered rate: the ceiling measured in the same run unless given. */
const rate = values.rate === undefined ? undefined : Number(values.rate);
const ceiling = { durationS: quick ? 4 : 8, repeats: quick ? 1 : 3 };
/**
 * The stored history of e2e and the larger one of list and inbox-view (each compared with 10k):
 * seeded once per run (seededCopy), which alone takes minutes at 1M, so `--quick` uses 100k.
 */
const large = quick ? 100_000 : 1_000_000;
/** What the ceiling scenario measured, for the e2e scenario after it. */
const measured = {};

const scenarios = {
  send: () => sendScenario({ durationS }),
  ceiling: async () => {
    measured.ceiling = await measureCeiling(ceiling);
    return ceilingRows(measured.ceiling);
  },
  e2e: () =>
    e2eScenario({
      ceilingPerSec: measured.ceiling?.ceilingPerSec,
      durationS: e2eDurationS,
      ...(rate === undefined ? {} : { rate }),
      messages: large,
      ...(quick ? { lightDurationS: 4, latencyDurationS: 5 } : {}),
      soak: values.soak,
    }),
  list: () => listScenario({ durationS, large }),
  'inbox-reads': () => inboxReadsScenario({ durationS, ...(quick ? { messages: 100_000 } : {}) }),
  webhooks: () => webhookScenario(quick ? { count: 5000 } : {}),
  'webhook-fairness': () => webhookFairnessScenario(),
  postgres: () => postgresScenario({ durationS, rate: rate ?? 5000, ...(quick ? { e2eDurationS: 5 } : {}) }),
  prism: () => prismScenario({ durationS }),
  smpp: () => smppScenario(quick ? { count: 1000 } : {}),
  'inbox-view': () => inboxViewScenario({ large }),
  events: () => eventsScenario({ quick }),
  contacts: () => contactsScenario({ quick }),
  metrics: () => metricsScenario({ quick }),
  logs: () => logsScenario({ quick }),
};
const only = values.only?.split(',');
for (const name of only ?? []) if (!(name in scenarios)) throw new Error(`unknown scenario ${name}`);
// e2e is a ratio of the ceiling: measured in the same run, so it runs with e2e alone too.
if (only?.includes('e2e') && !only.includes('ceiling')) only.push('ceiling');

const started = performance.now();
const results = [];
const took = [];
for (const [name, run] of Object.entries(scenarios)) {
  if (only && !only.includes(name)) continue;
  const load = loadavg()[0].toFixed(2);
  process.stderr.write(`running ${name} (load average ${load})...\n`);
  const t = performance.now();
  // A scenario that fails is a row saying so; the others still run and the run still reports.
  const rows = await Promise.resolve()
    .then(run)
    .catch((error) => {
      process.stderr.write(`  ${name} failed: ${error.stack ?? error}\n`);
      return [{ scenario: name, subject: `failed: ${String(error.message ?? error).split('\n')[0]}`, met: false }];
    });
  for (const row of rows) row.loadAverage = Number(load);
  results.push(...rows);
  const s = Math.round((performance.now() - t) / 1000);
  took.push({ scenario: name, seconds: s });
  process.stderr.write(`  ${name} took ${s} s\n`);
}
report(results, { elapsedS: Math.round((performance.now() - started) / 1000), took, budgetS: BUDGET_S, quick });
