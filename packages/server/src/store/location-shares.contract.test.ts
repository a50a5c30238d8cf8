import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account, Line } from '../domain/account.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import type { Store } from './store.js';

/** LocationSharesPort: a request per line and contact, re-asking keeps acceptance, per account. */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE_A = '+15550001000';
const LINE_B = '+15550002000';

describe.each(STORE_BACKENDS)('Store location shares ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;
  let lineA: Line;
  let lineB: Line;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: [LINE_A], b: [LINE_B] }));
    lineA = (await store.findLine(LINE_A))!;
    lineB = (await store.findLine(LINE_B))!;
  });
  afterEach(() => instance.dispose());

  it('records a request, and a second one keeps when the contact accepts', async () => {
    const first = await store.requestLocationShare({
      lineId: lineA.id,
      accountId: a.id,
      number: '+19998887777',
      requestHandle: 'h-1',
      now: T0,
      acceptsAt: T0 + 1_000,
    });
    expect(first).toEqual({
      lineId: lineA.id,
      line: LINE_A,
      number: '+19998887777',
      accountId: a.id,
      requestHandle: 'h-1',
      requestedAt: T0,
      acceptsAt: T0 + 1_000,
    });
    const again = await store.requestLocationShare({
      lineId: lineA.id,
      accountId: a.id,
      number: '+19998887777',
      requestHandle: 'h-2',
      now: T0 + 5_000,
      acceptsAt: T0 + 6_000,
    });
    expect(again).toMatchObject({ requestHandle: 'h-2', requestedAt: T0 + 5_000, acceptsAt: T0 + 1_000 });
    expect(await store.getLocationShare(a.id, lineA.id, '+19998887777')).toEqual(again);
  });

  it('lists a line’s shares by number, and never another account’s', async () => {
    for (const number of ['+19998887772', '+19998887771']) {
      await store.requestLocationShare({
        lineId: lineA.id,
        accountId: a.id,
        number,
        requestHandle: number,
        now: T0,
        acceptsAt: null,
      });
    }
    expect((await store.listLocationShares(a.id, lineA.id)).map((s) => s.number)).toEqual([
      '+19998887771',
      '+19998887772',
    ]);
    expect(await store.listLocationShares(b.id, lineA.id)).toEqual([]);
    expect(await store.listLocationShares(b.id, lineB.id)).toEqual([]);
    expect(await store.getLocationShare(b.id, lineA.id, '+19998887771')).toBeUndefined();
  });
});
