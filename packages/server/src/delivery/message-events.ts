import type { StatusChange } from '../domain/job.js';

export type StatusListener = (change: StatusChange) => void;

/**
 * In-process notification of committed status changes (after the transaction, never inside it).
 * Consumers that must not miss a change (webhooks) keep their own durable record in the same
 * transaction instead; this is for live views and waking waiters.
 */
export class MessageEvents {
  private readonly listeners = new Set<StatusListener>();

  onStatusChange(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: StatusChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A faulty listener must not break delivery; listeners log their own errors.
      }
    }
  }
}
