import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account, Line } from '../domain/account.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import type { Store } from './store.js';

/** CallForwardingPort: one number per line, replaced and cleared, scoped to the line's account. */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe.each(STORE_BACKENDS)('Store call forwarding ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;
  let line: Line;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: ['+15550001000'], b: ['+15550002000'] }));
    line = (await store.findLine('+15550001000'))!;
  });
  afterEach(() => instance.dispose());

  it('sets, replaces and clears a line’s forwarding number', async () => {
    expect(await store.getCallForwarding(a.id, line.id)).toBeNull();
    await store.setCallForwarding({ accountId: a.id, lineId: line.id, forwardingNumber: '+16692138010', now: T0 });
    await store.setCallForwarding({ accountId: a.id, lineId: line.id, forwardingNumber: '+16692138011', now: T0 + 1 });
    expect(await store.getCallForwarding(a.id, line.id)).toBe('+16692138011');
    await store.clearCallForwarding(a.id, line.id);
    await store.clearCallForwarding(a.id, line.id);
    expect(await store.getCallForwarding(a.id, line.id)).toBeNull();
  });

  it('neither shows nor clears a line’s forwarding for another account', async () => {
    await store.setCallForwarding({ accountId: a.id, lineId: line.id, forwardingNumber: '+16692138010', now: T0 });
    expect(await store.getCallForwarding(b.id, line.id)).toBeNull();
    await store.clearCallForwarding(b.id, line.id);
    expect(await store.getCallForwarding(a.id, line.id)).toBe('+16692138010');
  });
});
