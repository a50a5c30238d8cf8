import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import { SqliteEvents } from '../store/sqlite/sqlite-events.js';
import type { BroadcastEvent, EventsPort } from '../store/ports/events-port.js';
import { AccountEventHub, type EventSubscriber } from './account-events.js';

class Subscriber implements EventSubscriber {
  readonly received: BroadcastEvent[] = [];
  interrupted = 0;
  constructor(readonly types: ReadonlySet<BroadcastEvent['type']> | undefined = undefined) {}
  deliver(event: BroadcastEvent): void {
    this.received.push(event);
  }
  interrupt(): void {
    this.interrupted++;
  }
}

/** The in-process port, counting what reaches it. */
function countingPort(): EventsPort & { published: number } {
  const inner = new SqliteEvents();
  const port = {
    published: 0,
    publishEvents: (events: readonly BroadcastEvent[]) => {
      port.published += events.length;
      inner.publishEvents(events);
    },
    onEvents: inner.onEvents.bind(inner),
    watchAccountEvents: inner.watchAccountEvents.bind(inner),
    isAccountWatched: inner.isAccountWatched.bind(inner),
  };
  return port;
}

const typing = (accountId: number) => ({
  accountId,
  type: 'typing.changed' as const,
  occurredAt: 0,
  data: { is_typing: true },
});

describe('the account event hub', () => {
  it('publishes nothing for an account no stream watches', () => {
    const port = countingPort();
    const hub = new AccountEventHub(port, 5);
    hub.start();
    hub.publish(typing(1));
    expect(port.published).toBe(0);
  });

  it('hands each event to its own account’s streams only, filtered by type', async () => {
    const hub = new AccountEventHub(countingPort(), 5);
    hub.start();
    const one = new Subscriber();
    const onlyMessages = new Subscriber(new Set(['message.updated'] as const));
    const two = new Subscriber();
    await hub.subscribe(1, one);
    await hub.subscribe(1, onlyMessages);
    await hub.subscribe(2, two);
    hub.publish(typing(1));
    expect(one.received.map((e) => [e.accountId, e.type])).toEqual([[1, 'typing.changed']]);
    expect(onlyMessages.received).toEqual([]);
    expect(two.received).toEqual([]);
  });

  it('refuses a stream beyond the per-account cap with too_many_streams, and frees the place on removal', async () => {
    const hub = new AccountEventHub(countingPort(), 2);
    const remove = await hub.subscribe(1, new Subscriber());
    await hub.subscribe(1, new Subscriber());
    const refused = await hub.subscribe(1, new Subscriber()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('too_many_streams');
    await hub.subscribe(2, new Subscriber());
    remove();
    await hub.subscribe(1, new Subscriber());
    expect(hub.streamCount(1)).toBe(2);
  });

  it('ends every stream when it closes, and refuses new ones', async () => {
    const hub = new AccountEventHub(countingPort(), 2);
    const s = new Subscriber();
    await hub.subscribe(1, s);
    hub.close();
    expect(s.interrupted).toBe(1);
    await expect(hub.subscribe(1, new Subscriber())).rejects.toMatchObject({ code: 'unavailable' });
  });
});
