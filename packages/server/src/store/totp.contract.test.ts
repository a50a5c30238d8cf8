import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import type { Account } from '../domain/account.js';
import type { TotpSecret } from '../domain/totp-secret.js';
import type { Store } from './store.js';

/** The TOTP half of the Store contract: secrets per account, listed without the secret. */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe.each(STORE_BACKENDS)('Store TOTP contract ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: ['+15550001000'], b: ['+15550002000'] }));
  });
  afterEach(async () => {
    await instance.dispose();
  });

  const secret = (account: Account, id: string, at = T0): TotpSecret => ({
    id,
    accountId: account.id,
    label: `agent-${id}`,
    issuer: id === 'one' ? 'GitHub' : null,
    algorithm: 'SHA256',
    digits: 8,
    period: 60,
    createdAt: at,
    secret: SECRET,
  });

  it('stores a secret and gives it back opened only to its account', async () => {
    const { secret: _s, ...info } = secret(a, 'one');
    expect(await store.createTotpSecret(secret(a, 'one'))).toEqual(info);
    expect(await store.getTotpSecret(a.id, 'one')).toEqual(secret(a, 'one'));
    expect(await store.getTotpSecret(b.id, 'one')).toBeUndefined();
    expect(await store.listTotpSecrets(b.id)).toEqual([]);
  });

  it('lists oldest first without the secret', async () => {
    await store.createTotpSecret(secret(a, 'two', T0 + 1));
    await store.createTotpSecret(secret(a, 'one', T0));
    const list = await store.listTotpSecrets(a.id);
    expect(list.map((s) => s.id)).toEqual(['one', 'two']);
    expect(list.every((s) => !('secret' in s))).toBe(true);
  });

  it('deletes only the account’s own secret', async () => {
    await store.createTotpSecret(secret(a, 'one'));
    expect(await store.deleteTotpSecret(b.id, 'one')).toBe(false);
    expect(await store.deleteTotpSecret(a.id, 'one')).toBe(true);
    expect(await store.deleteTotpSecret(a.id, 'one')).toBe(false);
    expect(await store.getTotpSecret(a.id, 'one')).toBeUndefined();
  });
});
