import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Message, toWire } from '../domain/message.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Account } from '../domain/account.js';
import type { ClaimedDelivery, NewWebhookDelivery } from '../domain/webhook-delivery.js';
import type { StatusPatch } from '../domain/job.js';
import type { Store } from './store.js';

/**
 * The webhook half of the Store contract: the outbox written with status changes, fair claims,
 * attempt outcomes, entries and the delivery log. Runs unchanged against every backend.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE_A = '+15550001000';
const LINE_B = '+15550002000';
const CONTACT = '+19998887777';
const CB = 'http://127.0.0.1:9/cb';
const OUT = 'http://127.0.0.1:9/outbound';

describe.each(STORE_BACKENDS)('Store webhooks contract ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: [LINE_A], b: [LINE_B] }));
  });
  afterEach(async () => {
    await instance.dispose();
  });

  async function accepted(account: Account, line: string, statusCallback: string | null = CB): Promise<Message> {
    const r = await store.acceptOutbound({
      message: messageDraft(account, line, CONTACT, { createdAt: T0, statusCallback }),
      queueLimit: 1000,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    return r.message;
  }

  async function change(message: Message, patches: StatusPatch[], now = T0 + 10) {
    const claimed = await store.claimJobs({ now, limit: 100, leaseUntil: now + 1000, workerId: 'w' });
    const job = claimed.find((c) => c.message.id === message.id);
    if (job === undefined) throw new Error('job not claimed');
    return store.finishJobs([{ kind: 'done', jobId: job.job.id, messageId: message.id, patches, schedule: [] }], now);
  }

  const claim = (
    now: number,
    options: {
      limit?: number;
      perDestination?: number;
      perAccount?: number;
      inFlight?: Map<string, number>;
      inFlightByAccount?: Map<number, number>;
    } = {},
  ) =>
    store.claimWebhookDeliveries({
      now,
      leaseUntil: now + 30_000,
      workerId: 'd',
      limit: options.limit ?? 100,
      perDestination: options.perDestination ?? 100,
      perAccount: options.perAccount ?? 100,
      inFlight: { byDestination: options.inFlight ?? new Map(), byAccount: options.inFlightByAccount ?? new Map() },
    });

  const succeed = (c: ClaimedDelivery, now: number) =>
    store.recordWebhookAttempt({
      deliveryId: c.delivery.id,
      attempt: { startedAt: now, durationMs: 3, httpStatus: 200, error: null },
      outcome: { kind: 'succeeded' },
      now,
    });

  /** `n` bare status-callback deliveries of account A to `url`. */
  const rows = (url: string, n: number): NewWebhookDelivery[] =>
    Array.from({ length: n }, () => ({
      accountId: a.id,
      kind: 'status_callback',
      endpointId: null,
      url,
      messageId: null,
      messageHandle: null,
      statusSeq: null,
      payload: '{}',
    }));

  const log = async (account = a) =>
    (await store.listWebhookDeliveries(account.id, { limit: 100, offset: 0 })).deliveries;

  it('queues a status callback and outbound entries with each status change, frozen as the wire message', async () => {
    await store.updateWebhookConfig(
      a.id,
      {
        mode: 'append',
        endpoints: [{ type: 'outbound', url: OUT, secret: 'entry', sendblueNumbers: null }],
        globalSecret: 'global',
      },
      Date.now(),
    );
    const m = await accepted(a, LINE_A);
    expect(await log()).toEqual([]);
    const [changed] = await change(m, [{ status: 'SENT' }]);
    const claimed = await claim(T0 + 10);
    expect(claimed.map((c) => [c.delivery.kind, c.delivery.url, c.sharedSecret]).sort()).toEqual([
      ['outbound', OUT, 'entry'],
      ['status_callback', CB, 'global'],
    ]);
    for (const c of claimed) {
      expect(JSON.parse(c.payload)).toEqual(toWire(changed!.message));
      expect(c.delivery.messageHandle).toBe(m.handle);
      expect(c.delivery.statusSeq).toBe(1);
      expect(c.delivery.webhookId).toMatch(/^msg_/);
      expect(c.signingSecret).toMatch(/^whsec_/);
    }
    expect(claimed[0]?.delivery.webhookId).not.toBe(claimed[1]?.delivery.webhookId);
  });

  it('queues nothing for an inbound-only account, a message without callback, or a disabled entry', async () => {
    const m = await accepted(b, LINE_B, null);
    await change(m, [{ status: 'SENT' }, { status: 'DELIVERED' }]);
    expect(await log(b)).toEqual([]);
  });

  it('claims at most perDestination per destination, counting those in flight, and never twice', async () => {
    const other = 'http://127.0.0.2:9/x';
    // The busy destination's backlog is older: a plain oldest-first claim would take only it.
    await store.enqueueWebhooks(rows(CB, 10), T0);
    await store.enqueueWebhooks(rows(other, 3), T0 + 1);
    const first = await claim(T0 + 5, { limit: 5, perDestination: 2 });
    const byUrl = (cs: ClaimedDelivery[], url: string) => cs.filter((c) => c.delivery.url === url).length;
    expect(byUrl(first, CB)).toBe(2);
    expect(byUrl(first, other)).toBe(2);
    const dest = first.find((c) => c.delivery.url === CB)?.delivery.destination ?? '';
    const second = await claim(T0 + 5, { perDestination: 2, inFlight: new Map([[dest, 2]]) });
    expect(byUrl(second, CB)).toBe(0);
    expect(byUrl(second, other)).toBe(1);
    const ids = new Set([...first, ...second].map((c) => c.delivery.id));
    expect(ids.size).toBe(first.length + second.length);
  });

  it('never returns one delivery twice when a claim takes several rounds', async () => {
    // Round one sees the busy destination and one row of a quiet one; round two, with the busy
    // destination full, must not offer the quiet row again.
    await store.enqueueWebhooks(rows('http://127.0.0.3:9/busy', 8), T0);
    await store.enqueueWebhooks(rows('http://127.0.0.4:9/quiet', 1), T0 + 1);
    await store.enqueueWebhooks(rows('http://127.0.0.5:9/late', 5), T0 + 2);
    const claimed = await claim(T0 + 5, { limit: 5, perDestination: 2 });
    const ids = claimed.map((c) => c.delivery.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(5);
  });

  it('caps an account over all its destinations and finds other accounts behind its backlog', async () => {
    // Account A's backlog is older and spread over 20 hosts, none of them near its own cap: only
    // the per-account cap, and excluding a full account from the next query, reach B's rows.
    for (let h = 0; h < 20; h++) await store.enqueueWebhooks(rows(`http://127.0.1.${h + 1}:9/x`, 5), T0);
    const hookB = 'http://127.0.2.1:9/b';
    await store.enqueueWebhooks(
      rows(hookB, 3).map((d) => ({ ...d, accountId: b.id })),
      T0 + 1,
    );
    const first = await claim(T0 + 5, { limit: 10, perAccount: 4, perDestination: 4 });
    const ofB = (cs: ClaimedDelivery[]) => cs.filter((c) => c.delivery.accountId === b.id).length;
    expect(first.length - ofB(first)).toBe(4);
    expect(ofB(first)).toBe(3);
    // Round-robin within A: its four come from four different hosts.
    expect(new Set(first.filter((c) => c.delivery.accountId === a.id).map((c) => c.delivery.url)).size).toBe(4);
    const second = await claim(T0 + 5, { limit: 10, perAccount: 4, inFlightByAccount: new Map([[a.id, 4]]) });
    expect(second).toEqual([]);
    const third = await claim(T0 + 5, { limit: 10, perAccount: 4, inFlightByAccount: new Map([[a.id, 1]]) });
    expect(third).toHaveLength(3);
  });

  it('holds a later event for the same message and url until the earlier one is final', async () => {
    const m = await accepted(a, LINE_A);
    await change(m, [{ status: 'SENT' }, { status: 'DELIVERED' }]);
    const [sent, ...rest] = await claim(T0 + 10);
    expect(rest).toEqual([]);
    expect(sent?.delivery.statusSeq).toBe(1);
    expect(await store.nextWebhookDeliveryAt(T0 + 10)).toBe(T0 + 10 + 30_000);
    await store.recordWebhookAttempt({
      deliveryId: sent!.delivery.id,
      attempt: { startedAt: T0 + 10, durationMs: 5, httpStatus: 500, error: 'HTTP 500' },
      outcome: { kind: 'retry', at: T0 + 5000 },
      now: T0 + 11,
    });
    expect(await claim(T0 + 20)).toEqual([]);
    expect(await store.nextWebhookDeliveryAt(T0 + 20)).toBe(T0 + 5000);
    const [retry] = await claim(T0 + 5000);
    expect(retry?.delivery.id).toBe(sent?.delivery.id);
    expect(retry?.delivery.attempts).toBe(1);
    await succeed(retry!, T0 + 5001);
    const [delivered] = await claim(T0 + 5002);
    expect(delivered?.delivery.statusSeq).toBe(2);
  });

  it('records attempts in the log, filters it, and keeps accounts apart', async () => {
    const m = await accepted(a, LINE_A);
    await change(m, [{ status: 'SENT' }]);
    const [c] = await claim(T0 + 10);
    await store.recordWebhookAttempt({
      deliveryId: c!.delivery.id,
      attempt: { startedAt: T0 + 10, durationMs: 7, httpStatus: null, error: 'timed out after 15000 ms' },
      outcome: { kind: 'failed' },
      now: T0 + 20,
    });
    const [d] = await log();
    expect(d).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'timed out after 15000 ms',
      nextAttemptAt: null,
    });
    expect(d?.attemptLog).toEqual([
      {
        attempt: 1,
        startedAt: T0 + 10,
        durationMs: 7,
        httpStatus: null,
        error: 'timed out after 15000 ms',
        requestHeaders: null,
        responseExcerpt: null,
        responseContentType: null,
      },
    ]);
    const q = { limit: 10, offset: 0 };
    expect((await store.listWebhookDeliveries(a.id, { ...q, status: 'failed' })).total).toBe(1);
    expect((await store.listWebhookDeliveries(a.id, { ...q, status: 'pending' })).total).toBe(0);
    expect((await store.listWebhookDeliveries(a.id, { ...q, messageHandle: m.handle })).total).toBe(1);
    expect((await store.listWebhookDeliveries(a.id, { ...q, url: OUT })).total).toBe(0);
    expect(await log(b)).toEqual([]);
    expect(await store.replayWebhookDelivery(b.id, d!.id, T0 + 30)).toBeUndefined();
    const replay = await store.replayWebhookDelivery(a.id, d!.id, T0 + 30);
    expect(replay).toMatchObject({ webhookId: d?.webhookId, replayOf: d?.id, status: 'pending', attempts: 0 });
    const [again] = await claim(T0 + 30);
    expect(again?.payload).toBe(c?.payload);
  });

  it('lists nothing, and fails nothing, for a log filter containing U+0000', async () => {
    const m = await accepted(a, LINE_A);
    await change(m, [{ status: 'SENT' }]);
    expect(await log()).toHaveLength(1);
    const q = { limit: 10, offset: 0 };
    const none = { deliveries: [], total: 0 };
    expect(await store.listWebhookDeliveries(a.id, { ...q, messageHandle: `${m.handle}\u0000` })).toEqual(none);
    expect(await store.listWebhookDeliveries(a.id, { ...q, url: `${CB}\u0000` })).toEqual(none);
  });

  it('disables an entry that answered 410, with its pending deliveries, and queues no more for it', async () => {
    const config = await store.updateWebhookConfig(
      a.id,
      {
        mode: 'append',
        endpoints: [{ type: 'outbound', url: OUT, secret: null, sendblueNumbers: null }],
      },
      Date.now(),
    );
    await change(await accepted(a, LINE_A, null), [{ status: 'SENT' }]);
    await change(await accepted(a, LINE_A, null), [{ status: 'SENT' }]);
    const [first] = await claim(T0 + 10, { limit: 1 });
    await store.recordWebhookAttempt({
      deliveryId: first!.delivery.id,
      attempt: { startedAt: T0 + 10, durationMs: 1, httpStatus: 410, error: 'HTTP 410 Gone: endpoint disabled' },
      outcome: { kind: 'gone' },
      now: T0 + 11,
    });
    expect((await log()).map((d) => d.status)).toEqual(['disabled', 'disabled']);
    const after = await store.getWebhookConfig(a.id, Date.now());
    expect(after.endpoints[0]).toMatchObject({ id: config.endpoints[0]?.id, url: OUT });
    expect(after.endpoints[0]?.disabledAt).not.toBeNull();
    const m3 = await accepted(a, LINE_A, null);
    await change(m3, [{ status: 'SENT' }]);
    expect(await log()).toHaveLength(2);
    // Given again, the entry is enabled again.
    await store.updateWebhookConfig(
      a.id,
      {
        mode: 'append',
        endpoints: [{ type: 'outbound', url: OUT, secret: null, sendblueNumbers: null }],
      },
      Date.now(),
    );
    expect((await store.getWebhookConfig(a.id, Date.now())).endpoints[0]?.disabledAt).toBeNull();
  });

  it('appends, replaces and removes entries; removed entries drop their pending deliveries', async () => {
    const s1 = (await store.getWebhookConfig(a.id, Date.now())).signingSecret;
    expect(s1).toMatch(/^whsec_/);
    expect((await store.getWebhookConfig(a.id, Date.now())).signingSecret).toBe(s1);
    expect((await store.getWebhookConfig(b.id, Date.now())).signingSecret).not.toBe(s1);
    await store.updateWebhookConfig(
      a.id,
      {
        mode: 'append',
        endpoints: [
          { type: 'receive', url: CB, secret: null, sendblueNumbers: [LINE_A] },
          { type: 'outbound', url: OUT, secret: null, sendblueNumbers: null },
        ],
        globalSecret: 'g',
      },
      Date.now(),
    );
    const m = await accepted(a, LINE_A, null);
    await change(m, [{ status: 'SENT' }]);
    const replaced = await store.updateWebhookConfig(
      a.id,
      {
        mode: 'replace',
        endpoints: [{ type: 'receive', url: CB, secret: 's', sendblueNumbers: null }],
        globalSecret: null,
      },
      Date.now(),
    );
    expect(replaced.globalSecret).toBeNull();
    expect(replaced.endpoints.map((e) => [e.type, e.url, e.secret, e.sendblueNumbers])).toEqual([
      ['receive', CB, 's', null],
    ]);
    expect((await log()).map((d) => [d.status, d.lastError])).toEqual([['disabled', 'webhook entry removed']]);
    expect(await store.removeWebhookEndpoints(a.id, { urls: [CB], type: 'outbound', now: Date.now() })).toBe(0);
    expect(await store.removeWebhookEndpoints(b.id, { urls: [CB], now: Date.now() })).toBe(0);
    expect(await store.removeWebhookEndpoints(a.id, { urls: [CB], now: Date.now() })).toBe(1);
    expect((await store.getWebhookConfig(a.id, Date.now())).endpoints).toEqual([]);
  });

  it('keeps an appended entry in its place and puts a replaced one in its new place', async () => {
    const entry = (url: string, secret: string | null = null, sendblueNumbers: string[] | null = null) => ({
      type: 'receive' as const,
      url,
      secret,
      sendblueNumbers,
    });
    const urls = async () =>
      (await store.getWebhookConfig(a.id, T0)).endpoints.map((e) => [e.url, e.secret, e.sendblueNumbers]);
    await store.updateWebhookConfig(a.id, { mode: 'append', endpoints: [entry('x'), entry('y')] }, T0);
    await store.updateWebhookConfig(a.id, { mode: 'append', endpoints: [entry('z'), entry('x', 's', [LINE_A])] }, T0);
    expect(await urls()).toEqual([
      ['x', 's', [LINE_A]],
      ['y', null, null],
      ['z', null, null],
    ]);
    await store.updateWebhookConfig(a.id, { mode: 'replace', endpoints: [entry('z'), entry('x')] }, T0);
    expect(await urls()).toEqual([
      ['z', null, null],
      ['x', null, null],
    ]);
  });
});
