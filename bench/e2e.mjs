// Scenario: end to end on the zero-delay sandbox, accept -> SENT -> DELIVERED, both status
// callbacks delivered to a local receiver, on a file already holding 1,000,000 messages.
// Offered at a fifth of `rate` first (the latency below capacity, with no backlog), then at `rate`
// sends/s for `durationS` (the backlog must stay flat), then at half the rate for the
// accept -> DELIVERED-callback latency the target names, with the server's RSS sampled throughout.
// Baseline: raw better-sqlite3 inserts of the rows a send writes, same run.
// With `soak`, the full rate is held for 10 minutes more and RSS must stay flat.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eLoad, startReceiver } from './lib/e2e-load.mjs';
import { startTapback } from './lib/processes.mjs';
import { sampleRss } from './lib/rss.mjs';
import { rawInsertRate, seededCopy } from './lib/seed.mjs';
import { soakMet } from './lib/verdicts.mjs';

/** Webhook settings for one busy receiver: the per-destination cap (default 4) would be the bottleneck. */
export const E2E_ENV = {
  TAPBACK_WEBHOOK_CONCURRENCY: '128',
  TAPBACK_WEBHOOK_CONCURRENCY_PER_DESTINATION: '128',
  // One tenant sends everything here: its share of the dispatcher is all of it, as per destination.
  TAPBACK_WEBHOOK_CONCURRENCY_PER_ACCOUNT: '128',
};

export async function e2eScenario({
  durationS = 60,
  rate = 5000,
  latencyDurationS = 15,
  messages = 1_000_000,
  soak = false,
} = {}) {
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
    const light = await e2eLoad({ urls: [server.url], receiver, rate: rate / 5, durationS: 10, drainS: 15 });
    const full = await e2eLoad({ urls: [server.url], receiver, rate, durationS, drainS: 15 });
    const half = await e2eLoad({
      urls: [server.url],
      receiver,
      rate: rate / 2,
      durationS: latencyDurationS,
      drainS: 15,
    });
    const memory = rss.stop();
    const common = { scenario: 'e2e', connections: 50 };
    rows.push(
      {
        ...common,
        subject: 'raw better-sqlite3 insert (message + job, 50 per tx, FULL)',
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
        ratio: Number((full.deliveredPerSec / raw.rowsPerSec).toFixed(3)),
        target: `>= ${rate} messages/s for ${durationS} s with a flat backlog`,
        met: full.flatBacklog && full.droppedByClient === 0 && full.deliveredPerSec >= rate * 0.98,
      },
      {
        ...common,
        subject: `tapback e2e latency at ${rate / 5}/s, before the full rate (no backlog)`,
        durationS: 10,
        requestsPerSec: light.deliveredPerSec,
        p50Ms: light.latencyP50Ms,
        p99Ms: light.latencyP99Ms,
        ...light,
      },
      {
        ...common,
        subject: `tapback e2e latency at ${rate / 2}/s (accept -> DELIVERED callback)`,
        durationS: latencyDurationS,
        requestsPerSec: half.deliveredPerSec,
        p50Ms: half.latencyP50Ms,
        p99Ms: half.latencyP99Ms,
        ...half,
        target: 'p99 <= 100 ms',
        met: half.latencyP99Ms <= 100 && half.flatBacklog && half.droppedByClient === 0,
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
      const soakRss = sampleRss(server.pid, 5000);
      const held = await e2eLoad({ urls: [server.url], receiver, rate, durationS: 600, drainS: 60 });
      const m = soakRss.stop();
      rows.push({
        scenario: 'memory',
        subject: `tapback RSS, 10-minute soak at ${rate}/s offered`,
        requestsPerSec: held.deliveredPerSec,
        ...m,
        offeredPerSec: held.offeredPerSec,
        acceptedPerSec: held.acceptedPerSec,
        droppedByClient: held.droppedByClient,
        flatBacklog: held.flatBacklog,
        target:
          'RSS <= 250 MB and flat (growth < 10 MiB from the second to the last tenth), the offered load accepted, backlog flat',
        met: soakMet(m, held, rate),
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
