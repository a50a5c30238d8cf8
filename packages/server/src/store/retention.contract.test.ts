import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Account } from '../domain/account.js';
import type { StatusPatch } from '../domain/job.js';
import type { Message } from '../domain/message.js';
import type { MessageQuery } from '../domain/message-query.js';
import type { AcceptIdempotency } from './ports/messages-port.js';
import type { Store } from './store.js';

/**
 * RetentionPort: what the pruner deletes (finished webhook deliveries, idempotency keys past use,
 * final messages) and what it never touches (pending deliveries, QUEUED or SENT messages, messages
 * with a job or a pending delivery, anything newer than the cutoff).
 */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const DAY = 86_400_000;
const LINE = '+15550001000';
const CONTACT = '+19998887777';
const CB = 'http://127.0.0.1:9/cb';

describe.each(STORE_BACKENDS)('Store retention ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a } = await twoAccounts(store, { a: [LINE], b: ['+15550002000'] }));
  });
  afterEach(() => instance.dispose());

  async function accepted(createdAt: number, idempotency?: AcceptIdempotency, statusCallback: string | null = CB) {
    const r = await store.acceptOutbound({
      message: messageDraft(a, LINE, CONTACT, { createdAt, statusCallback }),
      queueLimit: 1000,
      ...(idempotency === undefined ? {} : { idempotency }),
    });
    return r;
  }

  async function send(createdAt: number, statusCallback: string | null = CB): Promise<Message> {
    const r = await accepted(createdAt, undefined, statusCallback);
    if (r.kind !== 'accepted') throw new Error(r.kind);
    return r.message;
  }

  /** Runs the message's send job to `patches`, leaving no job behind. */
  async function finish(message: Message, patches: StatusPatch[], now: number): Promise<void> {
    const claimed = await store.claimJobs({ now, limit: 100, leaseUntil: now + 1000, workerId: 'w' });
    const job = claimed.find((c) => c.message.id === message.id);
    if (job === undefined) throw new Error('job not claimed');
    await store.finishJobs([{ kind: 'done', jobId: job.job.id, messageId: message.id, patches, schedule: [] }], now);
  }

  /** Claims every due delivery and records it delivered at `now`. */
  async function deliverAll(now: number): Promise<number> {
    const claimed = await store.claimWebhookDeliveries({
      now,
      leaseUntil: now + 30_000,
      workerId: 'd',
      limit: 100,
      perDestination: 100,
      perAccount: 100,
      inFlight: { byDestination: new Map(), byAccount: new Map() },
    });
    for (const c of claimed) {
      await store.recordWebhookAttempt({
        deliveryId: c.delivery.id,
        attempt: { startedAt: now, durationMs: 3, httpStatus: 200, error: null },
        outcome: { kind: 'succeeded' },
        now,
      });
    }
    return claimed.length;
  }

  const log = async () =>
    (await store.listWebhookDeliveries(a.id, { limit: 100, offset: 0 })).deliveries.map((d) => [d.status, d.attempts]);

  it('prunes finished deliveries and their attempts before the cutoff, never a pending one', async () => {
    const m = await send(T0);
    await finish(m, [{ status: 'SENT' }], T0 + 10);
    expect(await deliverAll(T0 + 20)).toBe(1);
    await finish(await send(T0 + 30), [{ status: 'SENT' }], T0 + 40);
    // Pending: its first attempt is due, never made.
    expect(await log()).toEqual([
      ['pending', 0],
      ['succeeded', 1],
    ]);
    expect(await store.pruneWebhookLog(T0 + 20, 500)).toBe(0);
    expect(await store.pruneWebhookLog(T0 + 10 * DAY, 500)).toBe(1);
    expect(await log()).toEqual([['pending', 0]]);
    expect(await deliverAll(T0 + 50)).toBe(1);
    expect(await log()).toEqual([['succeeded', 1]]);
  });

  it('deletes at most `limit` deliveries a call, oldest first', async () => {
    for (let i = 0; i < 3; i++) {
      const m = await send(T0 + i);
      await finish(m, [{ status: 'SENT' }], T0 + 10 + i);
      await deliverAll(T0 + 100 * (i + 1));
    }
    expect(await store.pruneWebhookLog(T0 + DAY, 2)).toBe(2);
    const left = (await store.listWebhookDeliveries(a.id, { limit: 100, offset: 0 })).deliveries;
    expect(left.map((d) => d.updatedAt)).toEqual([T0 + 300]);
    expect(await store.pruneWebhookLog(T0 + DAY, 2)).toBe(1);
    expect(await store.pruneWebhookLog(T0 + DAY, 2)).toBe(0);
  });

  it('prunes request digests past the retry window, and clients’ keys only with their messages’ retention', async () => {
    const client: AcceptIdempotency = { key: 'order-1', requestHash: 'h1', responseBody: '{"n":1}' };
    const digest: AcceptIdempotency = {
      key: 'retry abc',
      requestHash: 'abc',
      responseBody: '{"n":2}',
      retryMatch: { since: undefined },
    };
    await accepted(T0, client);
    await accepted(T0, digest);
    const retry = { ...digest, retryMatch: { since: T0 - 1 } };
    expect((await accepted(T0 + 1, retry)).kind).toBe('replay');

    expect(await store.pruneIdempotencyKeys({ digestsBefore: T0, keysBefore: undefined }, 500)).toBe(0);
    expect(await store.pruneIdempotencyKeys({ digestsBefore: T0 + 1, keysBefore: undefined }, 500)).toBe(1);
    expect((await accepted(T0 + 2, retry)).kind).toBe('accepted');
    expect((await accepted(T0 + 2, client)).kind).toBe('replay');
    // The retry just stored its digest again (at T0 + 2): only the client's key is old enough.
    expect(await store.pruneIdempotencyKeys({ digestsBefore: T0 + 1, keysBefore: T0 + 1 }, 500)).toBe(1);
    expect((await accepted(T0 + 3, client)).kind).toBe('accepted');
  });

  it('prunes final messages with their deliveries, keeps QUEUED, SENT, busy and newer ones, and keeps counts exact', async () => {
    const delivered = await send(T0);
    await finish(delivered, [{ status: 'SENT' }, { status: 'DELIVERED' }], T0 + 10);
    // Held back one behind the other: SENT's callback first, then DELIVERED's.
    for (let t = T0 + 20; (await deliverAll(t)) > 0; t++);
    const queued = await send(T0 + 1);
    const sent = await send(T0 + 2, null);
    const errored = await send(T0 + 3);
    // Final, but its status callback is still pending.
    const busy = errored;
    const newer = await send(T0 + 2 * DAY, null);
    const claimed = await store.claimJobs({ now: T0 + 2 * DAY, limit: 100, leaseUntil: T0 + 3 * DAY, workerId: 'w' });
    const jobOf = (m: Message) => claimed.find((c) => c.message.id === m.id)!.job.id;
    await store.finishJobs(
      [
        { kind: 'done', jobId: jobOf(sent), messageId: sent.id, patches: [{ status: 'SENT' }], schedule: [] },
        { kind: 'done', jobId: jobOf(errored), messageId: errored.id, patches: [{ status: 'ERROR' }], schedule: [] },
        { kind: 'done', jobId: jobOf(newer), messageId: newer.id, patches: [{ status: 'DELIVERED' }], schedule: [] },
      ],
      T0 + 2 * DAY,
    );
    // `queued` was claimed too and stays QUEUED, leased, its job unfinished.
    expect(await store.pruneMessages(T0 + DAY, 500)).toBe(1);
    expect(await store.getMessage(a.id, delivered.handle)).toBeUndefined();
    for (const kept of [queued, sent, busy, newer]) expect(await store.getMessage(a.id, kept.handle)).toBeDefined();
    expect(
      (await store.listWebhookDeliveries(a.id, { limit: 100, offset: 0 })).deliveries.map((d) => d.messageHandle),
    ).not.toContain(delivered.handle);

    const q: MessageQuery = { limit: 1, offset: 0, orderBy: 'createdAt', orderDirection: 'desc' };
    for (const filter of [
      {},
      { status: 'DELIVERED' as const },
      { sendblueNumber: LINE },
      { number: CONTACT },
      { isOutbound: true },
    ]) {
      const counted = await store.listMessages(a.id, { ...q, ...filter });
      const rows = await store.listMessages(a.id, { ...q, ...filter, createdAtGte: 0 });
      expect({ filter, total: counted.total }).toEqual({ filter, total: rows.total });
    }
    expect((await store.listMessages(a.id, { ...q, status: 'DELIVERED' })).total).toBe(1);
    expect(await store.pruneMessages(T0 + DAY, 500)).toBe(0);
  });
});
