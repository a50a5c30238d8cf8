import type { AccountEventType } from '../../domain/account-event.js';

/** One account event as it travels between processes: stamped, addressed, and its data (or none). */
export interface BroadcastEvent {
  /** Stable and unique across processes (a UUID v7, so time-ordered). */
  id: string;
  accountId: number;
  type: AccountEventType;
  /** Epoch milliseconds. */
  occurredAt: number;
  /**
   * The event's data; null when it was too large to travel between processes (PostgreSQL's
   * NOTIFY payload limit): receivers then deliver the event without it, and clients repair.
   */
  data: Record<string, unknown> | null;
}

/**
 * The engine part of the live account events: fan-out to every process sharing the store
 * (PostgreSQL: NOTIFY on a channel of its own; SQLite: this process only), and which accounts
 * any process is streaming, so publishing for an account nobody watches costs one lookup.
 */
export interface EventsPort {
  /**
   * Hands committed events to the `onEvents` listeners of this process (at once) and of every
   * other process sharing the store that watches their accounts. Never throws; best effort.
   */
  publishEvents(events: readonly BroadcastEvent[]): void;
  /**
   * Calls `listener` with the events any process published, and `onGap` when some may have been
   * lost on the way (PostgreSQL: the LISTEN connection broke). Returns the unsubscribe function.
   */
  onEvents(listener: (events: readonly BroadcastEvent[]) => void, onGap?: () => void): () => void;
  /**
   * Declares that this process streams `accountId`'s events, until the returned function is
   * called. Resolves once every process sharing the store has been told.
   */
  watchAccountEvents(accountId: number): Promise<() => void>;
  /** Whether any process streams `accountId`'s events: O(1), allocates nothing (the publish hot path asks). */
  isAccountWatched(accountId: number): boolean;
}
