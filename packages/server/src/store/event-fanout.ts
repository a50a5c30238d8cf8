import type { BroadcastEvent } from './ports/events-port.js';

export type EventsListener = (events: readonly BroadcastEvent[]) => void;

/**
 * What every dialect's events port does inside one process: the listeners to hand events to, and
 * how many streams this process has open per account. `onWatchChange` hears when an account gains
 * its first stream here or loses its last (PostgreSQL tells the other processes).
 */
export class LocalEventFanout {
  private readonly listeners = new Set<EventsListener>();
  private readonly watchers = new Map<number, number>();

  constructor(private readonly onWatchChange: (accountId: number, watched: boolean) => void = () => undefined) {}

  subscribe(listener: EventsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deliver(events: readonly BroadcastEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // A faulty listener must not stop the others, nor the publisher (which never throws).
      }
    }
  }

  /** Counts one more stream of `accountId`; the returned function (idempotent) counts it out. */
  watch(accountId: number): () => void {
    const count = this.watchers.get(accountId) ?? 0;
    this.watchers.set(accountId, count + 1);
    if (count === 0) this.onWatchChange(accountId, true);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.watchers.get(accountId) ?? 1) - 1;
      if (left > 0) {
        this.watchers.set(accountId, left);
        return;
      }
      this.watchers.delete(accountId);
      this.onWatchChange(accountId, false);
    };
  }

  isWatched(accountId: number): boolean {
    return this.watchers.has(accountId);
  }

  watchedAccounts(): number[] {
    return [...this.watchers.keys()];
  }
}
