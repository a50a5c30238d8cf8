// Scenario: one account's hung webhook endpoints next to another account's callbacks. Account B's
// status-callback latency (send accepted to callback arrived) while account A's deliveries hang
// on 30 hosts that accept connections and never answer, next to the same figure with A idle, in
// the same run. Each side runs in its own process (bench/lib/fairness-driver.mjs).
// Usage: node bench/webhook-fairness.mjs [--count 200]   (after `npm run build`)
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/processes.mjs';
import { report } from './lib/report.mjs';

function drive(mode, count) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bench/lib/fairness-driver.mjs', mode, String(count)],
      { cwd: ROOT, maxBuffer: 1 << 20, timeout: 180_000 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}\n${stderr}`))
          : resolve(JSON.parse(stdout.trim().split('\n').at(-1))),
    );
  });
}

export async function webhookFairnessScenario({ count = 200 } = {}) {
  const idle = await drive('idle', count);
  const hang = await drive('hang', count);
  const row = (subject, r) => ({
    scenario: 'webhook-fairness',
    subject,
    count,
    callbacks: r.callbacks,
    timedOut: r.timedOut,
    hungInFlight: r.hungInFlight,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    maxMs: r.maxMs,
  });
  return [
    row("account B's callbacks, account A idle", idle),
    {
      ...row("account B's callbacks, account A's 30 hosts hung", hang),
      ratio: idle.p99Ms > 0 ? Number((hang.p99Ms / idle.p99Ms).toFixed(3)) : null,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '200' } } });
  report(await webhookFairnessScenario({ count: Number(values.count) }));
}
