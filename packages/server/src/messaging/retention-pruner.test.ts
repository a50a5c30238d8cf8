import { describe, expect, it } from 'vitest';
import { ManualClock } from '../domain/clock.js';
import type { RetentionPort } from '../store/ports/retention-port.js';
import { RETENTION_BATCH, RetentionPruner } from './retention-pruner.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2030, 0, 31);

/** A store with `backlog` rows of each kind to prune, recording every call. */
function fakeStore(backlog: number) {
  const calls: [string, unknown][] = [];
  let left = { log: backlog, keys: backlog, messages: backlog };
  const take = (kind: keyof typeof left, limit: number) => {
    const n = Math.min(limit, left[kind]);
    left = { ...left, [kind]: left[kind] - n };
    return n;
  };
  const store: RetentionPort = {
    pruneWebhookLog: async (before, limit) => (calls.push(['log', before]), take('log', limit)),
    pruneIdempotencyKeys: async (cutoffs, limit) => (calls.push(['keys', cutoffs]), take('keys', limit)),
    pruneMessages: async (before, limit) => (calls.push(['messages', before]), take('messages', limit)),
  };
  return { store, calls };
}

function pruner(store: RetentionPort, webhookLogDays: number, messagesDays: number) {
  const clock = new ManualClock(NOW);
  return new RetentionPruner({
    store,
    clock,
    sleepClock: clock,
    settings: { webhookLogDays, messagesDays, retryMatchWindowMs: 300_000, intervalMs: 600_000 },
    onError: (error) => {
      throw error;
    },
  });
}

describe('RetentionPruner', () => {
  it('prunes each kind in batches until one comes back short, with cutoffs from the settings', async () => {
    const { store, calls } = fakeStore(RETENTION_BATCH * 2 + 1);
    const counts = await pruner(store, 30, 90).runOnce();
    const n = RETENTION_BATCH * 2 + 1;
    expect(counts).toEqual({ webhookDeliveries: n, idempotencyKeys: n, messages: n });
    const keys = { digestsBefore: NOW - 300_000, keysBefore: NOW - 90 * DAY };
    expect(calls).toEqual([
      ...Array.from({ length: 3 }, () => ['log', NOW - 30 * DAY]),
      ...Array.from({ length: 3 }, () => ['keys', keys]),
      ...Array.from({ length: 3 }, () => ['messages', NOW - 90 * DAY]),
    ]);
  });

  it('keeps the webhook log and messages when their days are 0, and still drops expired request digests', async () => {
    const { store, calls } = fakeStore(1);
    expect(await pruner(store, 0, 0).runOnce()).toEqual({ webhookDeliveries: 0, idempotencyKeys: 1, messages: 0 });
    expect(calls).toEqual([['keys', { digestsBefore: NOW - 300_000, keysBefore: undefined }]]);
  });
});
