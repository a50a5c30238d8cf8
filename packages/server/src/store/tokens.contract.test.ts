import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import type { NewAuthToken } from './queries/token-queries.js';
import type { Store } from './store.js';

/**
 * TokensPort: tokens are found by digest with their account and minting key's state, revoked only
 * within their account, and expired ones are dropped when the account mints again.
 */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE_A = '+15550001000';
const LINE_B = '+15550002000';

describe.each(STORE_BACKENDS)('Store tokens ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;
  const token = (account: Account, id: string, over: Partial<NewAuthToken> = {}): NewAuthToken => ({
    tokenId: id,
    accountId: account.id,
    keyId: `key-${account.id}-0001`,
    digest: `digest-${id}`,
    phoneNumbers: [],
    now: T0,
    expiresAt: T0 + 900_000,
    ...over,
  });

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: [LINE_A], b: [LINE_B] }));
    for (const account of [a, b]) {
      await store.createApiKey({ accountId: account.id, keyId: `key-${account.id}-0001`, secretDigest: 'x', now: T0 });
    }
  });
  afterEach(() => instance.dispose());

  it('finds a token by its digest with its account, scope and key state', async () => {
    const created = await store.createAuthToken(token(a, 't-1', { phoneNumbers: [LINE_A] }));
    expect(created).toEqual({
      tokenId: 't-1',
      accountId: a.id,
      keyId: `key-${a.id}-0001`,
      phoneNumbers: [LINE_A],
      createdAt: T0,
      expiresAt: T0 + 900_000,
      revokedAt: null,
    });
    expect(await store.findAuthToken('digest-t-1')).toEqual({
      ...created,
      accountEmail: 'a@example.com',
      accountPlan: a.plan,
      keyRevokedAt: null,
    });
    expect(await store.findAuthToken('digest-none')).toBeUndefined();
    expect(await store.findAuthToken('digest-\u0000')).toBeUndefined();
  });

  it('revokes within the account only, idempotently, and the lookup sees it at once', async () => {
    await store.createAuthToken(token(a, 't-1'));
    expect(await store.revokeAuthToken(b.id, 't-1', T0 + 1)).toBe(false);
    expect((await store.findAuthToken('digest-t-1'))?.revokedAt).toBeNull();
    expect(await store.revokeAuthToken(a.id, 't-1', T0 + 1)).toBe(true);
    expect((await store.findAuthToken('digest-t-1'))?.revokedAt).toBe(T0 + 1);
    expect(await store.revokeAuthToken(a.id, 't-1', T0 + 2)).toBe(true);
    expect((await store.findAuthToken('digest-t-1'))?.revokedAt).toBe(T0 + 1);
    expect(await store.revokeAuthToken(a.id, 'no-such-token', T0)).toBe(false);
  });

  it('shows the minting key’s revocation on its tokens', async () => {
    await store.createAuthToken(token(a, 't-1'));
    await store.findAuthToken('digest-t-1');
    await store.revokeApiKey(`key-${a.id}-0001`, T0 + 5);
    expect((await store.findAuthToken('digest-t-1'))?.keyRevokedAt).toBe(T0 + 5);
  });

  it('drops the account’s expired tokens when it mints a new one, and only its own', async () => {
    await store.createAuthToken(token(a, 't-old', { expiresAt: T0 + 60_000 }));
    await store.createAuthToken(token(b, 't-b', { expiresAt: T0 + 60_000 }));
    await store.createAuthToken(token(a, 't-new', { now: T0 + 60_000 }));
    expect(await store.findAuthToken('digest-t-old')).toBeUndefined();
    expect(await store.findAuthToken('digest-t-b')).toBeDefined();
    expect(await store.findAuthToken('digest-t-new')).toBeDefined();
  });
});
