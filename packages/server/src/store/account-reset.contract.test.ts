import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { acceptedMessage, accountTraffic } from '../../test/support/account-traffic.js';
import type { Account } from '../domain/account.js';
import type { Message } from '../domain/message.js';
import type { Store } from './store.js';

/**
 * The account reset contract (`POST /sandbox/reset`): one account's traffic goes, in one
 * transaction, its configuration and every other account's rows stay. Runs on every backend.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE_A = '+15550001000';
const LINE_B = '+15550002000';
const CONTACT = '+19998887777';
const CB = 'http://127.0.0.1:9/cb';

describe.each(STORE_BACKENDS)('Store account reset contract ($name)', (backend) => {
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

  const TRAFFIC = { t0: T0, contact: CONTACT, statusCallback: CB };
  const accepted = (account: Account, line: string, key?: string): Promise<Message> =>
    acceptedMessage(store, account, line, TRAFFIC, key);
  /** A sent message with a logged callback attempt, a queued one, a contact, a group and a media object. */
  async function traffic(account: Account, line: string): Promise<void> {
    await accountTraffic(store, account, line, TRAFFIC);
  }

  async function snapshot(account: Account) {
    const messages = await store.listMessages(account.id, {
      limit: 100,
      offset: 0,
      orderBy: 'createdAt',
      orderDirection: 'asc',
    });
    return {
      messages: messages.messages.length,
      total: messages.total,
      deliveries: (await store.listWebhookDeliveries(account.id, { limit: 100, offset: 0 })).total,
      optedOut: (await store.getContact(account.id, CONTACT))?.optedOut ?? false,
      group: (await store.getGroup(account.id, `group-${account.id}`)) !== undefined,
      media: (await store.getMedia(`${account.id}`.padStart(32, '0'))) !== undefined,
    };
  }

  it("removes the account's traffic and counts it, keeping its configuration and the other account's rows", async () => {
    await traffic(a, LINE_A);
    await traffic(b, LINE_B);
    await store.updateWebhookConfig(
      a.id,
      {
        mode: 'append',
        endpoints: [{ type: 'receive', url: 'http://127.0.0.1:9/in', secret: null, sendblueNumbers: null }],
      },
      T0,
    );
    await store.createApiKey({ accountId: a.id, keyId: 'kid-a', secretDigest: 'd', now: T0 });
    const bBefore = await snapshot(b);
    expect(bBefore).toMatchObject({ messages: 2, optedOut: true, group: true, media: true });

    const result = await store.resetAccountData(a.id);

    expect(result).toEqual({
      kind: 'reset',
      removed: {
        messages: 2,
        contacts: 1,
        groups: 1,
        jobs: 1,
        webhookDeliveries: 1,
        webhookAttempts: 1,
        idempotencyKeys: 1,
        media: 1,
        verifications: 0,
        locationShares: 0,
      },
    });
    expect(await snapshot(a)).toEqual({
      messages: 0,
      total: 0,
      deliveries: 0,
      optedOut: false,
      group: false,
      media: false,
    });
    expect(await snapshot(b)).toEqual(bBefore);
    // Configuration stays: lines, webhook entries, keys.
    expect((await store.listLines(a.id)).map((l) => l.number)).toEqual([LINE_A]);
    expect((await store.getWebhookConfig(a.id, T0)).endpoints.map((e) => e.url)).toEqual(['http://127.0.0.1:9/in']);
    expect((await store.listApiKeys(a.id)).map((k) => k.keyId)).toContain('kid-a');
    // Only b's queued send is left to run, and a's idempotency key is free again.
    expect(await store.countJobs()).toBe(1);
    const again = await accepted(a, LINE_A, `key-${a.id}`);
    expect(again.accountId).toBe(a.id);
    expect((await snapshot(a)).total).toBe(1);
  });

  it('refuses an account with a line on a real network, removing nothing', async () => {
    await traffic(a, LINE_A);
    await store.addLine({ accountId: a.id, number: '+15550001001', provider: 'smpp', now: T0 });
    const before = await snapshot(a);

    expect(await store.resetAccountData(a.id)).toEqual({
      kind: 'refused',
      line: { number: '+15550001001', provider: 'smpp' },
    });
    expect(await snapshot(a)).toEqual(before);
  });

  it('drops the outcome of a job claimed before the reset, and the worker carries on', async () => {
    const m = await accepted(a, LINE_A);
    const [claim] = await store.claimJobs({ now: T0 + 1, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
    expect(claim?.message.id).toBe(m.id);

    await store.resetAccountData(a.id);
    const changes = await store.finishJobs(
      [
        {
          kind: 'done',
          jobId: claim!.job.id,
          attempt: claim!.job.attempts,
          messageId: m.id,
          patches: [{ status: 'SENT' }],
          schedule: [{ runAt: T0 + 10, patch: { status: 'DELIVERED' }, then: [] }],
        },
      ],
      T0 + 2,
    );

    expect(changes).toEqual([]);
    expect(await store.countJobs()).toBe(0);
    expect(await store.getMessage(a.id, m.handle)).toBeUndefined();
  });
});
