// Scenario `ceiling`: the physical limit of the end-to-end scenario on this machine, measured in
// the same run. Per message, one inbound HTTP exchange and two outbound ones, done by bare node:http
// with no storage (lib/ceiling-server.mjs, one process), driven by the very e2e load generator and
// callback receiver the e2e scenario uses, everything on this machine. It is offered well above
// what it can do: the paced sender then drops what the server cannot take (at most 4 requests per
// connection wait), so what is accepted is its capacity, and since every answer's callbacks follow
// at once the backlog stays flat; delivered/s is the ceiling. Repeated, the median is kept.
import { captureTapbackExchange } from './lib/ceiling-capture.mjs';
import { e2eLoad, startReceiver } from './lib/e2e-load.mjs';
import { startProcess } from './lib/processes.mjs';

/** Offered to the ceiling server: well above the ~4,500/s two cores reach. */
export const CEILING_OFFERED_PER_SEC = 12_000;

/**
 * Measures the ceiling: `repeats` runs of `durationS` at CEILING_OFFERED_PER_SEC after a short
 * warm-up. Returns the median delivered/s of the runs whose backlog stayed flat (all runs, if
 * none did) and every run's figures.
 */
export async function measureCeiling({ durationS = 8, repeats = 3 } = {}) {
  const { answer, callbacks } = await captureTapbackExchange();
  const receiver = await startReceiver();
  let server;
  try {
    server = await startProcess(['bench/lib/ceiling-server.mjs'], {
      env: { TAPBACK_BENCH_SEND_RESPONSE: answer, TAPBACK_BENCH_CALLBACKS: JSON.stringify(callbacks) },
      ready: /listening on (http:\/\/[^\s]+)/,
    });
    const urls = [server.match[1]];
    await e2eLoad({ urls, receiver, rate: 2000, durationS: 2, drainS: 5 });
    const runs = [];
    for (let i = 0; i < repeats; i++) {
      runs.push(await e2eLoad({ urls, receiver, rate: CEILING_OFFERED_PER_SEC, durationS, drainS: 10 }));
    }
    const flat = runs.filter((r) => r.flatBacklog);
    const figures = (flat.length > 0 ? flat : runs).map((r) => r.deliveredPerSec).sort((a, b) => a - b);
    return { ceilingPerSec: figures[Math.floor(figures.length / 2)] ?? 0, durationS, runs };
  } finally {
    await server?.stop();
    await receiver.close();
  }
}

/** The scenario's rows: the ceiling (the median), and each run. */
export function ceilingRows({ ceilingPerSec, durationS, runs }) {
  const common = { scenario: 'ceiling', connections: 50, durationS };
  return [
    {
      ...common,
      subject: `bare node:http send + SENT and DELIVERED callbacks, no storage (median of ${runs.length})`,
      requestsPerSec: ceilingPerSec,
      ceilingPerSec,
      runs: runs.map((r) => r.deliveredPerSec),
    },
    ...runs.map((r, i) => ({
      ...common,
      subject: `  run ${i + 1}, ${r.offeredPerSec}/s offered`,
      requestsPerSec: r.deliveredPerSec,
      p50Ms: r.latencyP50Ms,
      p99Ms: r.latencyP99Ms,
      ...r,
    })),
  ];
}

export async function ceilingScenario(options) {
  return ceilingRows(await measureCeiling(options));
}
