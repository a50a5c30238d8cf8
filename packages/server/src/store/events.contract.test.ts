import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendInstance, STORE_BACKENDS } from '../../test/support/backends.js';
import type { BroadcastEvent } from './ports/events-port.js';
import type { Store } from './store.js';

const event = (accountId: number, id: string): BroadcastEvent => ({
  id,
  accountId,
  type: 'typing.changed',
  occurredAt: Date.UTC(2030, 0, 1),
  data: { number: '+19998887777' },
});

describe.each(STORE_BACKENDS)('the events port ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;

  beforeAll(async () => {
    instance = await backend.create();
    store = instance.store;
  });
  afterAll(() => instance.dispose());

  it('knows an account is watched exactly while a stream of it is open here', async () => {
    expect(store.isAccountWatched(7)).toBe(false);
    const first = await store.watchAccountEvents(7);
    const second = await store.watchAccountEvents(7);
    expect(store.isAccountWatched(7)).toBe(true);
    expect(store.isAccountWatched(8)).toBe(false);
    first();
    first();
    expect(store.isAccountWatched(7)).toBe(true);
    second();
    expect(store.isAccountWatched(7)).toBe(false);
  });

  it('hands published events to this process’s listeners at once, in order, until unsubscribed', async () => {
    const received: BroadcastEvent[] = [];
    const stop = store.onEvents((events) => received.push(...events));
    const unwatch = await store.watchAccountEvents(1);
    store.publishEvents([event(1, 'a'), event(2, 'b')]);
    expect(received.map((e) => e.id)).toEqual(['a', 'b']);
    expect(received[0]).toEqual(event(1, 'a'));
    stop();
    store.publishEvents([event(1, 'c')]);
    expect(received.map((e) => e.id)).toEqual(['a', 'b']);
    unwatch();
  });

  it('never throws to the publisher when a listener fails', () => {
    const stop = store.onEvents(() => {
      throw new Error('listener failed');
    });
    expect(() => store.publishEvents([event(1, 'd')])).not.toThrow();
    stop();
  });
});
