import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import { AppError } from '../domain/errors.js';
import type { Store } from '../store/store.js';
import { type BackendInstance, STORE_BACKENDS } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Caller } from './caller.js';
import { MessageWaiter } from './message-waiter.js';

const LINE = '+15550001000';
const CONTACT = '+19998887777';

/** The waiter on a real store, with its checks (list queries) counted. */
describe.each(STORE_BACKENDS)('MessageWaiter ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;
  let checks: number;
  /** Runs once, after the next check's query has read and before it answers. */
  let duringCheck: (() => Promise<void>) | undefined;
  let waiter: MessageWaiter;

  const callerOf = (account: Account): Caller => ({
    accountId: account.id,
    email: account.email,
    plan: account.plan,
    keyId: 'k',
  });
  const store1 = async (account: Account, content: string) => {
    const r = await store.acceptOutbound({
      message: messageDraft(account, LINE, CONTACT, { content }),
      queueLimit: 100,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
  };

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    a = await store.createAccount({ email: 'a@example.com', now: Date.now() });
    b = await store.createAccount({ email: 'b@example.com', now: Date.now() });
    checks = 0;
    duringCheck = undefined;
    const counted = {
      ...store,
      listMessages: async (...args: Parameters<Store['listMessages']>) => {
        checks++;
        const page = await store.listMessages(...args);
        const hook = duringCheck;
        duringCheck = undefined;
        await hook?.();
        return page;
      },
    };
    waiter = new MessageWaiter(counted, 3);
  });
  afterEach(async () => {
    await instance.dispose();
  });

  it('looks once, then not again until told of a new message of its account', async () => {
    const waiting = waiter.waitFor(callerOf(a), { contains: 'needle', timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 2000));
    // A poll every 100 ms made ~20 checks here.
    expect(checks).toBe(1);
    await store1(b, 'needle for b');
    waiter.notify([b.id]);
    await new Promise((r) => setTimeout(r, 50));
    expect(checks).toBe(1);
    await store1(a, 'a needle');
    waiter.notify([a.id]);
    expect((await waiting)?.content).toBe('a needle');
    expect(checks).toBe(2);
  });

  it('does not miss a message stored while it was looking', async () => {
    duringCheck = async () => {
      await store1(a, 'just missed');
      waiter.notify([a.id]);
    };
    const started = Date.now();
    const found = await waiter.waitFor(callerOf(a), { contains: 'missed', timeoutMs: 3000 });
    expect(found?.content).toBe('just missed');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses an account more than its pending waits, with Retry-After; other accounts still wait', async () => {
    const stop = new AbortController();
    const held = [1, 2, 3].map(() => waiter.waitFor(callerOf(a), { timeoutMs: 10_000, contains: 'x' }, stop.signal));
    const refused = await waiter.waitFor(callerOf(a), { timeoutMs: 0 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('rate_limited');
    expect((refused as AppError).headers).toEqual({ 'retry-after': '1' });
    expect(await waiter.waitFor(callerOf(b), { timeoutMs: 0 })).toBeUndefined();
    stop.abort();
    expect(await Promise.all(held)).toEqual([undefined, undefined, undefined]);
    // Finished waits free their places.
    expect(waiter.pendingFor(a.id)).toBe(0);
    expect(await waiter.waitFor(callerOf(a), { timeoutMs: 0 })).toBeUndefined();
  });
});
