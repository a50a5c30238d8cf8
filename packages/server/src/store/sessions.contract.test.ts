import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import type { NewInboxSession } from './queries/session-queries.js';
import type { Store } from './store.js';

/**
 * SessionsPort: sessions are found by digest with their account, key and token state; a sign-in
 * code opens one session at most, and not once expired.
 */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe.each(STORE_BACKENDS)('Store sessions ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;
  const keyOf = (account: Account) => `key-${account.id}-0001`;
  const session = (account: Account, id: string, over: Partial<NewInboxSession> = {}): NewInboxSession => ({
    sessionId: id,
    accountId: account.id,
    keyId: keyOf(account),
    tokenId: null,
    digest: `digest-${id}`,
    now: T0,
    expiresAt: T0 + 3_600_000,
    ...over,
  });

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: ['+15550001000'], b: ['+15550002000'] }));
    for (const account of [a, b]) {
      await store.createApiKey({ accountId: account.id, keyId: keyOf(account), secretDigest: 'x', now: T0 });
    }
  });
  afterEach(() => instance.dispose());

  it('finds a session by digest with its account, and the state of its key', async () => {
    await store.createSession(session(a, 's1'));
    expect(await store.findSession('digest-s1')).toEqual({
      sessionId: 's1',
      accountId: a.id,
      keyId: keyOf(a),
      tokenId: null,
      createdAt: T0,
      expiresAt: T0 + 3_600_000,
      accountEmail: a.email,
      accountPlan: a.plan,
      keyRevokedAt: null,
      tokenRevokedAt: null,
    });
    expect(await store.findSession('digest-none')).toBeUndefined();
    await store.revokeApiKey(keyOf(a), T0 + 5);
    expect((await store.findSession('digest-s1'))?.keyRevokedAt).toBe(T0 + 5);
  });

  it('reports a revoked token, and deletes the session with its token', async () => {
    await store.createAuthToken({
      tokenId: 'tok-1',
      accountId: a.id,
      keyId: keyOf(a),
      digest: 'token-digest',
      phoneNumbers: [],
      now: T0,
      expiresAt: T0 + 60_000,
    });
    await store.createSession(session(a, 's1', { tokenId: 'tok-1', expiresAt: T0 + 60_000 }));
    expect((await store.findSession('digest-s1'))?.tokenRevokedAt).toBeNull();
    await store.revokeAuthToken(a.id, 'tok-1', T0 + 7);
    expect((await store.findSession('digest-s1'))?.tokenRevokedAt).toBe(T0 + 7);
  });

  it('deletes a session once, and drops the account’s expired ones when opening another', async () => {
    await store.createSession(session(a, 'old', { expiresAt: T0 + 10 }));
    await store.createSession(session(b, 'b-old', { expiresAt: T0 + 10 }));
    await store.createSession(session(a, 'new', { now: T0 + 10 }));
    expect(await store.findSession('digest-old')).toBeUndefined();
    expect(await store.findSession('digest-b-old')).toBeDefined();
    expect(await store.deleteSession('digest-new')).toBe(true);
    expect(await store.deleteSession('digest-new')).toBe(false);
    expect(await store.findSession('digest-new')).toBeUndefined();
  });

  it('exchanges a code once for a session of its account and key', async () => {
    await store.createSignInCode({
      digest: 'code',
      accountId: b.id,
      keyId: keyOf(b),
      now: T0,
      expiresAt: T0 + 900_000,
    });
    const opened = await store.exchangeSignInCode('code', {
      sessionId: 's1',
      digest: 'digest-s1',
      now: T0 + 1,
      expiresAt: T0 + 99,
    });
    expect(opened).toMatchObject({ sessionId: 's1', accountId: b.id, keyId: keyOf(b), accountEmail: b.email });
    expect(await store.findSession('digest-s1')).toEqual(opened);
    expect(
      await store.exchangeSignInCode('code', { sessionId: 's2', digest: 'digest-s2', now: T0 + 2, expiresAt: T0 + 99 }),
    ).toBeUndefined();
    expect(await store.findSession('digest-s2')).toBeUndefined();
  });

  it('opens nothing with an expired or unknown code', async () => {
    await store.createSignInCode({ digest: 'code', accountId: a.id, keyId: keyOf(a), now: T0, expiresAt: T0 + 100 });
    const late = { sessionId: 's1', digest: 'digest-s1', now: T0 + 100, expiresAt: T0 + 999 };
    expect(await store.exchangeSignInCode('code', late)).toBeUndefined();
    expect(await store.exchangeSignInCode('other', late)).toBeUndefined();
    expect(await store.findSession('digest-s1')).toBeUndefined();
  });

  it('lets exactly one of many concurrent exchanges of a code win', async () => {
    await store.createSignInCode({
      digest: 'code',
      accountId: a.id,
      keyId: keyOf(a),
      now: T0,
      expiresAt: T0 + 900_000,
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.exchangeSignInCode('code', {
          sessionId: `s${i}`,
          digest: `digest-s${i}`,
          now: T0 + 1,
          expiresAt: T0 + 99,
        }),
      ),
    );
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
  });
});
