import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import type { Message, NewMessage } from '../domain/message.js';
import { WEBHOOK_TYPES, type WebhookType } from '../domain/webhook.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Store } from './store.js';

/**
 * Webhook tenancy in the store: an account's events are queued only for its own entries and its
 * own messages' status callbacks, never for another account's, whatever the read path (one
 * message, a batch of several accounts' status changes, an inbound message, the entries a typing
 * event reads). Both accounts have an entry of every type, so a missing account filter shows.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE_A = '+15550001000';
const LINE_B = '+15550002000';
const CONTACT = '+19998887777';

/** Each account's urls live under its own path, so a delivery's url tells whose entry it is. */
const urlOf = (who: 'a' | 'b', type: WebhookType | 'status_callback') => `http://127.0.0.1:9/${who}/${type}`;

describe.each(STORE_BACKENDS)('Store webhook tenancy ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: [LINE_A], b: [LINE_B] }));
    for (const [account, who] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      await store.updateWebhookConfig(
        account.id,
        {
          mode: 'append',
          endpoints: WEBHOOK_TYPES.map((type) => ({
            type,
            url: urlOf(who, type),
            secret: null,
            sendblueNumbers: null,
          })),
        },
        T0,
      );
    }
  });
  afterEach(async () => {
    await instance.dispose();
  });

  const lineOf = (account: Account) => (account.id === a.id ? LINE_A : LINE_B);
  const whoOf = (account: Account) => (account.id === a.id ? 'a' : 'b');

  async function accepted(account: Account): Promise<Message> {
    const r = await store.acceptOutbound({
      message: messageDraft(account, lineOf(account), CONTACT, {
        createdAt: T0,
        statusCallback: urlOf(whoOf(account), 'status_callback'),
      }),
      queueLimit: 1000,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    return r.message;
  }

  function inbound(account: Account): NewMessage {
    const line = lineOf(account);
    return {
      ...messageDraft(account, line, CONTACT, { createdAt: T0 }),
      isOutbound: false,
      status: 'RECEIVED',
      content: `to ${whoOf(account)}`,
      fromNumber: CONTACT,
      toNumber: line,
      number: CONTACT,
      sendblueNumber: line,
    };
  }

  /** [kind, url] of every delivery in the account's log, sorted. */
  const queued = async (account: Account) =>
    (await store.listWebhookDeliveries(account.id, { limit: 100, offset: 0 })).deliveries
      .map((d) => [d.kind, d.url])
      .sort();

  it("queues a status change only for its own account's outbound entry and status callback", async () => {
    const m = await accepted(a);
    const [job] = await store.claimJobs({ now: T0 + 10, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
    await store.finishJobs(
      [{ kind: 'done', jobId: job!.job.id, messageId: m.id, patches: [{ status: 'SENT' }], schedule: [] }],
      T0 + 10,
    );
    expect(await queued(a)).toEqual([
      ['outbound', urlOf('a', 'outbound')],
      ['status_callback', urlOf('a', 'status_callback')],
    ]);
    expect(await queued(b)).toEqual([]);
  });

  it("keeps each account's status changes apart when one batch changes both accounts' messages", async () => {
    const ma = await accepted(a);
    const mb = await accepted(b);
    const jobs = await store.claimJobs({ now: T0 + 10, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
    expect(jobs).toHaveLength(2);
    await store.finishJobs(
      jobs.map((j) => ({
        kind: 'done' as const,
        jobId: j.job.id,
        messageId: j.message.id,
        patches: [{ status: 'SENT' as const }, { status: 'DELIVERED' as const }],
        schedule: [],
      })),
      T0 + 10,
    );
    for (const [account, m] of [
      [a, ma],
      [b, mb],
    ] as const) {
      const who = whoOf(account);
      const log = (await store.listWebhookDeliveries(account.id, { limit: 100, offset: 0 })).deliveries;
      expect(log.map((d) => [d.kind, d.url, d.messageHandle, d.statusSeq]).sort()).toEqual([
        ['outbound', urlOf(who, 'outbound'), m.handle, 1],
        ['outbound', urlOf(who, 'outbound'), m.handle, 2],
        ['status_callback', urlOf(who, 'status_callback'), m.handle, 1],
        ['status_callback', urlOf(who, 'status_callback'), m.handle, 2],
      ]);
    }
  });

  it("queues an inbound message only for its own account's receive entry", async () => {
    await store.acceptInbound({ message: inbound(b), keyword: null });
    expect(await queued(b)).toEqual([['receive', urlOf('b', 'receive')]]);
    expect(await queued(a)).toEqual([]);
  });

  it("reads only the account's own entries, of every type (what a typing event is routed by)", async () => {
    for (const [account, who] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      const { endpoints } = await store.getWebhookConfig(account.id, T0);
      expect(endpoints.map((e) => [e.accountId, e.type, e.url]).sort()).toEqual(
        WEBHOOK_TYPES.map((type) => [account.id, type, urlOf(who, type)]).sort(),
      );
    }
  });

  it("never changes another account's entries or their pending deliveries", async () => {
    await store.acceptInbound({ message: inbound(b), keyword: null });
    await store.updateWebhookConfig(a.id, { mode: 'replace', endpoints: [] }, T0 + 1);
    expect(await store.removeWebhookEndpoints(a.id, { urls: [urlOf('b', 'receive')], now: T0 + 2 })).toBe(0);
    expect((await store.getWebhookConfig(b.id, T0)).endpoints).toHaveLength(WEBHOOK_TYPES.length);
    expect((await store.listWebhookDeliveries(b.id, { limit: 10, offset: 0 })).deliveries[0]?.status).toBe('pending');
  });
});
