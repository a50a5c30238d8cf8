import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../../domain/account.js';
import type { NewMessage } from '../../domain/message.js';
import { declinedForOptOut } from '../../domain/opt-out.js';
import { type BackendInstance, HAS_POSTGRES, postgresBackend } from '../../../test/support/backends.js';
import { messageDraft } from '../../../test/support/message-draft.js';
import type { AcceptInput } from '../ports/messages-port.js';
import type { Store } from '../store.js';

/**
 * PostgreSQL's group commit (postgres-accept.ts, single-statement-accept.ts): a batch of QUEUED sends
 * is one statement, one round trip; a batch its guard stops is decided item by item as before.
 */

const CONTACT = '+19998887777';
const CONTACT2 = '+19998886666';
const OPTED_OUT = '+19998885555';

/** Counts the statements every pg client sends while `run` runs: one each is one round trip. */
async function countQueries<T>(run: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  const original = pg.Client.prototype.query;
  const queries: string[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const config = args[0];
    queries.push(typeof config === 'string' ? config : ((config as { name?: string }).name ?? 'unnamed'));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { result: await run(), queries };
  } finally {
    pg.Client.prototype.query = original;
  }
}

describe.each(HAS_POSTGRES ? [postgresBackend] : [])('group commit on PostgreSQL ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let account: Account;

  beforeAll(async () => {
    instance = await backend.create();
    store = instance.store;
  });

  afterAll(async () => {
    await instance.dispose();
  });

  // Each test has an account of its own, so an empty queue, and starts with no jobs.
  let n = 0;
  beforeEach(async () => {
    n += 1;
    account = await store.createAccount({ email: `accept-pg-${n}@example.com`, now: Date.now() });
    await store.addLine({ accountId: account.id, number: `+1555000200${n}`, provider: 'sandbox', now: Date.now() });
    await instance.unchecked('DELETE FROM jobs');
  });

  const draft = (to: string, extra: Partial<NewMessage> = {}): NewMessage =>
    messageDraft(account, `+1555000200${n}`, to, extra);
  const queued = async (): Promise<number> =>
    (
      await store.listMessages(account.id, {
        limit: 1,
        offset: 0,
        orderBy: 'createdAt',
        orderDirection: 'desc',
        status: 'QUEUED',
      })
    ).total;

  it('commits a batch of QUEUED sends, their jobs and idempotency keys in one round trip', async () => {
    const inputs: AcceptInput[] = [CONTACT, CONTACT2, CONTACT, CONTACT2].map((to, i) => ({
      message: draft(to),
      queueLimit: 100,
      whenOptedOut: { message: draft(to, { status: 'DECLINED' }), responseBody: '{}' },
      ...(i === 0 ? { idempotency: { key: `one-trip-${n}`, requestHash: 'h', responseBody: '{"i":0}' } } : {}),
    }));
    const { result, queries } = await countQueries(() => Promise.all(inputs.map((i) => store.acceptOutbound(i))));
    expect(queries).toEqual(['tapback-accept-fast']);
    const ids = result.map((r) => (r.kind === 'accepted' ? r.message.id : -1));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    for (const r of result) {
      expect(r.kind).toBe('accepted');
      if (r.kind === 'accepted') expect(await store.getMessage(account.id, r.message.handle)).toEqual(r.message);
    }
    expect(await store.countJobs()).toBe(4);
    // The key was stored with them: the same request again replays its response.
    const again = await store.acceptOutbound({ ...inputs[0]!, message: draft(CONTACT) });
    expect(again).toEqual({ kind: 'replay', requestHash: 'h', responseBody: '{"i":0}' });
  });

  it('stores the others of a one-statement batch alone when one of them fails', async () => {
    const first = await store.acceptOutbound({ message: draft(CONTACT), queueLimit: 100 });
    if (first.kind !== 'accepted') throw new Error(first.kind);
    const results = await Promise.allSettled([
      store.acceptOutbound({ message: draft(CONTACT2), queueLimit: 100 }),
      store.acceptOutbound({ message: draft(CONTACT, { handle: first.message.handle }), queueLimit: 100 }),
      store.acceptOutbound({ message: draft(CONTACT), queueLimit: 100 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await queued()).toBe(3);
    expect(await store.countJobs()).toBe(3);
  });

  it('refuses past the queue limit when the stored QUEUED count stops the one-statement batch', async () => {
    await store.acceptOutbound({ message: draft(CONTACT), queueLimit: 3 });
    await store.acceptOutbound({ message: draft(CONTACT), queueLimit: 3 });
    const { result, queries } = await countQueries(() =>
      Promise.all([CONTACT, CONTACT2].map((to) => store.acceptOutbound({ message: draft(to), queueLimit: 3 }))),
    );
    expect(result.map((r) => r.kind)).toEqual(['accepted', 'queue_full']);
    expect(queries).toEqual(['tapback-accept-fast', 'tapback-accept-read', 'tapback-accept-write']);
    expect(await queued()).toBe(3);
    expect(await store.countJobs()).toBe(3);
  });

  it('declines for an opted-out contact in a batch with plain sends', async () => {
    await store.setContactOptOut({ accountId: account.id, number: OPTED_OUT, optedOut: true, now: Date.now() });
    const out = draft(OPTED_OUT);
    const results = await Promise.all([
      store.acceptOutbound({ message: draft(CONTACT2), queueLimit: 100 }),
      store.acceptOutbound({
        message: out,
        queueLimit: 100,
        whenOptedOut: { message: declinedForOptOut(out), responseBody: '{"declined":true}' },
      }),
    ]);
    expect(results.map((r) => (r.kind === 'accepted' ? r.message.status : r.kind))).toEqual(['QUEUED', 'DECLINED']);
    expect(await queued()).toBe(1);
    expect(await store.countJobs()).toBe(1);
  });

  it('replays a stored key in a batch with plain sends', async () => {
    const idempotency = { key: `stored-${n}`, requestHash: 'h', responseBody: '{"first":true}' };
    await store.acceptOutbound({ message: draft(CONTACT), queueLimit: 100, idempotency });
    const results = await Promise.all([
      store.acceptOutbound({ message: draft(CONTACT2), queueLimit: 100 }),
      store.acceptOutbound({ message: draft(CONTACT), queueLimit: 100, idempotency }),
    ]);
    expect(results.map((r) => r.kind)).toEqual(['accepted', 'replay']);
    expect(await queued()).toBe(2);
    expect(await store.countJobs()).toBe(2);
  });
});
