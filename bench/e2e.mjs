// Scenario: end to end on the zero-delay sandbox, accept -> SENT -> DELIVERED, both status
// callbacks delivered to a local receiver, on a file already holding 1,000,000 messages, against
// the ceiling measured in the same run (ceiling.mjs: the same exchanges by bare node:http with no
// storage). Offered at a fifth of the ceiling first (the latency with no backlog), then at half of
// it for the accept -> DELIVERED-callback latency the target names (below capacity, so not a
// queue), then at `rate` (the ceiling unless given) for `durationS`: delivered/s as a ratio of the
// ceiling. The server's RSS is sampled throughout. Also reported: raw better-sqlite3 inserts of
// the rows a send writes. With `soak`, 0.8 of the ceiling (the e2e target) is held for 10 minutes
// more, and RSS must stay flat.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eLoad, startReceiver } from './lib/e2e-load.mjs';
import { startTapback } from './lib/processes.mjs';
import { sampleRss } from './lib/rss.mjs';
import { rawInsertRate, seededCopy } from './lib/seed.mjs';
import { e2eFullMet, e2eLatencyMet, e2eRatio, soakMet } from './lib/verdicts.mjs';

/** Webhook settings for one busy receiver: the per-destination cap (default 4) would be the bottleneck. */
export const E2E_ENV = {
  TAPBACK_WEBHOOK_CONCURRENCY: '128',
  TAPBACK_WEBHOOK_CONCURRENCY_PER_DESTINATION: '128',
  // One tenant sends everything here: its share of the dispatcher is all of it, as per destination.
  TAPBACK_WEBHOOK_CONCURRENCY_PER_ACCOUNT: '128',
};

/** Waits until no callback has arrived for 2 s (what was queued is delivered), at most `maxS`. */
async function quiet(receiver, maxS) {
  const until = performance.now() + maxS * 1000;
  let last = -1;
  while (performance.now() < until) {
    const { delivered } = await receiver.stats();
    if (delivered === last) return;
    last = delivered;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

export async function e2eScenario({
  ceilingPerSec,
  durationS = 60,
  rate = Math.ceil(ceilingPerSec / 100) * 100,
  lightDurationS = 10,
  latencyDurationS = 15,
  messages = 1_000_000,
  soak = false,
} = {}) {
  if (!(ceilingPerSec > 0)) throw new Error('the e2e scenario needs the ceiling measured in the same run');
  const light = Math.round(ceilingPerSec / 5);
  const half = Math.round(ceilingPerSec / 2);
  const rawDir = mkdtempSync(join(tmpdir(), 'tapback-bench-raw-'));
  let raw;
  try {
    raw = await rawInsertRate(join(rawDir, 'raw.db'));
  } finally {
    rmSync(rawDir, { recursive: true, force: true });
  }

  const db = await seededCopy(messages);
  const receiver = await startReceiver();
  const server = await startTapback(E2E_ENV, { dbPath: db.path });
  const rows = [];
  try {
    // Warm-up: JIT, connections, the first pages of the file in cache.
    await e2eLoad({ urls: [server.url], receiver, rate: rate / 10, durationS: 3, drainS: 10 });
    const rss = sampleRss(server.pid);
    // Below capacity, before any backlog exists: the latency a user sees when not overloaded.
    const atLight = await e2eLoad({ urls: [server.url], receiver, rate: light, durationS: lightDurationS, drainS: 15 });
    // Half of the ceiling, still with no backlog left over: the run the latency target names.
    const atHalf = await e2eLoad({
      urls: [server.url],
      receiver,
      rate: half,
      durationS: latencyDurationS,
      drainS: 15,
    });
    // Last, as what it leaves queued would otherwise be the next run's latency.
    const full = await e2eLoad({ urls: [server.url], receiver, rate, durationS, drainS: 5 });
    const memory = rss.stop();
    const common = { scenario: 'e2e', connections: 50 };
    rows.push(
      {
        ...common,
        subject: 'raw better-sqlite3 insert (message + job, 50 per tx, FULL), reported',
        requestsPerSec: raw.rowsPerSec,
      },
      {
        ...common,
        subject: `tapback e2e, ${rate}/s offered for ${durationS} s`,
        durationS,
        requestsPerSec: full.deliveredPerSec,
        p50Ms: full.latencyP50Ms,
        p99Ms: full.latencyP99Ms,
        ...full,
        ceilingPerSec,
        ratio: e2eRatio(full.deliveredPerSec, ceilingPerSec),
        ratioOf: 'delivered/s / ceiling (same run)',
        target: `>= 0.8 of the ceiling (${ceilingPerSec}/s), held ${durationS} s (backlog grows <= accepted - 0.8 x ceiling)`,
        met: e2eFullMet(full, ceilingPerSec),
      },
      {
        ...common,
        subject: `tapback e2e latency at ${light}/s (a fifth of the ceiling, no backlog)`,
        durationS: lightDurationS,
        requestsPerSec: atLight.deliveredPerSec,
        p50Ms: atLight.latencyP50Ms,
        p99Ms: atLight.latencyP99Ms,
        ...atLight,
      },
      {
        ...common,
        subject: `tapback e2e latency at ${half}/s (half the ceiling; accept -> DELIVERED callback)`,
        durationS: latencyDurationS,
        requestsPerSec: atHalf.deliveredPerSec,
        p50Ms: atHalf.latencyP50Ms,
        p99Ms: atHalf.latencyP99Ms,
        ...atHalf,
        target: 'p99 <= 100 ms, below capacity (flat backlog)',
        met: e2eLatencyMet(atHalf),
      },
      {
        scenario: 'memory',
        subject: `tapback RSS under e2e load, ${messages.toLocaleString('en')} messages stored`,
        requestsPerSec: '',
        ...memory,
        target: 'RSS <= 250 MB',
        met: memory.peakMiB !== null && memory.peakMiB * 1.048576 <= 250,
      },
    );
    if (soak) {
      // The rate the target asks the server to sustain; the full-rate run's backlog drains first.
      const soakRate = Math.round(0.8 * ceilingPerSec);
      await quiet(receiver, 300);
      const soakRss = sampleRss(server.pid, 5000);
      const held = await e2eLoad({ urls: [server.url], receiver, rate: soakRate, durationS: 600, drainS: 60 });
      const m = soakRss.stop();
      rows.push({
        scenario: 'memory',
        subject: `tapback RSS, 10-minute soak at ${soakRate}/s offered (0.8 of the ceiling)`,
        requestsPerSec: held.deliveredPerSec,
        ...m,
        offeredPerSec: held.offeredPerSec,
        acceptedPerSec: held.acceptedPerSec,
        droppedByClient: held.droppedByClient,
        flatBacklog: held.flatBacklog,
        target:
          'RSS <= 250 MB and flat (growth < 10 MiB from the second to the last tenth), the offered load accepted, backlog flat',
        met: soakMet(m, held, soakRate),
      });
    }
  } catch (error) {
    throw new Error(`${error.message}\nserver output:\n${server.output()}`, { cause: error });
  } finally {
    await server.stop();
    await receiver.close();
    db.remove();
  }
  return rows;
}
