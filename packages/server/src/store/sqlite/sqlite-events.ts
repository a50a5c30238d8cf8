import { LocalEventFanout } from '../event-fanout.js';
import type { BroadcastEvent, EventsPort } from '../ports/events-port.js';

/**
 * Live account events on SQLite: one process owns the file, so its own streams are all there are
 * and events never leave it.
 */
export class SqliteEvents implements EventsPort {
  private readonly local = new LocalEventFanout();

  publishEvents(events: readonly BroadcastEvent[]): void {
    this.local.deliver(events);
  }

  onEvents(listener: (events: readonly BroadcastEvent[]) => void): () => void {
    return this.local.subscribe(listener);
  }

  async watchAccountEvents(accountId: number): Promise<() => void> {
    return this.local.watch(accountId);
  }

  isAccountWatched(accountId: number): boolean {
    return this.local.isWatched(accountId);
  }
}
