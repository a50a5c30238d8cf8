import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import type { Store } from './store.js';

/** SeatsPort: each account has exactly one owner seat, made on first read, and sees only its own. */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe.each(STORE_BACKENDS)('Store seats ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: ['+15550001000'], b: ['+15550002000'] }));
  });
  afterEach(() => instance.dispose());

  it('makes the owner seat once, whichever read comes first', async () => {
    expect(await store.countSeats(a.id, {}, T0)).toBe(1);
    const [seat] = await store.listSeats(a.id, {}, T0 + 1);
    expect(seat).toEqual({
      seatId: expect.any(String),
      accountId: a.id,
      accountName: 'a@example.com',
      authSubject: `owner-${a.id}`,
      email: 'a@example.com',
      firstName: 'Account',
      lastName: 'Owner',
      forwardingNumber: null,
      createdAt: T0,
    });
    await Promise.all([store.listSeats(a.id, {}, T0 + 2), store.findSeat(a.id, 'x', T0 + 2)]);
    expect(await store.countSeats(a.id, {}, T0 + 3)).toBe(1);
    expect(await store.findSeat(a.id, seat?.seatId ?? '', T0)).toEqual(seat);
    expect(await store.findSeat(a.id, `owner-${a.id}`, T0)).toEqual(seat);
  });

  it('filters by exact email and pages', async () => {
    expect(await store.listSeats(a.id, { email: 'a@example.com' }, T0)).toHaveLength(1);
    expect(await store.listSeats(a.id, { email: 'A@example.com' }, T0)).toHaveLength(0);
    expect(await store.countSeats(a.id, { email: 'b@example.com' }, T0)).toBe(0);
    expect(await store.listSeats(a.id, { offset: 1 }, T0)).toEqual([]);
    expect(await store.listSeats(a.id, { limit: 1, offset: 0 }, T0)).toHaveLength(1);
  });

  it('never shows another account’s seat', async () => {
    const [mine] = await store.listSeats(a.id, {}, T0);
    const [theirs] = await store.listSeats(b.id, {}, T0);
    expect(theirs?.email).toBe('b@example.com');
    expect(await store.findSeat(b.id, mine?.seatId ?? '', T0)).toBeUndefined();
    expect(await store.findSeat(b.id, `owner-${a.id}`, T0)).toBeUndefined();
    expect(await store.findSeat(b.id, '\u0000', T0)).toBeUndefined();
  });
});
