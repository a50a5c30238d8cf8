import type { AccountEventInput, AccountEventSink, AccountEventType } from '../domain/account-event.js';
import { errors } from '../domain/errors.js';
import { newHandle } from '../domain/ids.js';
import type { Message, MessageStatus } from '../domain/message.js';
import type { BroadcastEvent, EventsPort } from '../store/ports/events-port.js';

/** One open stream, as the hub sees it. */
export interface EventSubscriber {
  /** The types it asked for; every type when undefined. */
  readonly types: ReadonlySet<AccountEventType> | undefined;
  deliver(event: BroadcastEvent): void;
  /** Events may have been lost on the way: end the stream, so its client reconnects and repairs. */
  interrupt(): void;
}

/**
 * The live account events of this process: use cases publish committed changes here (it is their
 * `AccountEventSink`), the events port carries them to every process sharing the store, and each
 * process hands them to its own open streams of the event's account, and only those.
 *
 * Publishing for an account no process streams is one map lookup and allocates nothing (the send
 * path publishes for every message); the event and its id are only made when someone watches.
 */
export class AccountEventHub implements AccountEventSink {
  private readonly streams = new Map<number, Set<EventSubscriber>>();
  private stopListening: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly port: EventsPort,
    private readonly maxStreamsPerAccount: number,
  ) {}

  /** Starts receiving events from the port (every process's, this one's included). Idempotent. */
  start(): void {
    this.stopListening ??= this.port.onEvents(
      (events) => this.dispatch(events),
      () => this.interruptAll(),
    );
  }

  /** Ends every open stream (the server is stopping) and stops receiving. */
  close(): void {
    this.closed = true;
    this.stopListening?.();
    this.stopListening = undefined;
    this.interruptAll();
  }

  publish(event: AccountEventInput): void {
    if (!this.port.isAccountWatched(event.accountId)) return;
    this.broadcast(event.accountId, event.type, event.occurredAt, event.data);
  }

  /**
   * `message.created`, `message.received` or `message.updated` for `message` as committed; `previous`
   * is the status before a change. Checks for a watcher before building anything.
   */
  publishMessage(
    type: 'message.created' | 'message.received' | 'message.updated',
    message: Message,
    previous?: MessageStatus,
  ): void {
    if (!this.port.isAccountWatched(message.accountId)) return;
    this.broadcast(message.accountId, type, message.updatedAt, messageEventData(message, previous));
  }

  /**
   * Adds a stream of `accountId`, at most `maxStreamsPerAccount` per process (429 beyond), and
   * resolves once every process publishes that account's events. Returns its removal.
   */
  async subscribe(accountId: number, subscriber: EventSubscriber): Promise<() => void> {
    if (this.closed) throw errors.unavailable('The server is shutting down; reconnect to another or later');
    let set = this.streams.get(accountId);
    if (set !== undefined && set.size >= this.maxStreamsPerAccount) {
      throw errors.tooManyStreams(this.maxStreamsPerAccount);
    }
    if (set === undefined) this.streams.set(accountId, (set = new Set()));
    set.add(subscriber);
    const remove = (): void => {
      set.delete(subscriber);
      if (set.size === 0 && this.streams.get(accountId) === set) this.streams.delete(accountId);
    };
    try {
      const unwatch = await this.port.watchAccountEvents(accountId);
      return () => {
        remove();
        unwatch();
      };
    } catch (error) {
      remove();
      throw error;
    }
  }

  /** Open streams of `accountId` in this process. */
  streamCount(accountId: number): number {
    return this.streams.get(accountId)?.size ?? 0;
  }

  private broadcast(
    accountId: number,
    type: AccountEventType,
    occurredAt: number,
    data: Record<string, unknown>,
  ): void {
    try {
      this.port.publishEvents([{ id: newHandle(), accountId, type, occurredAt, data }]);
    } catch {
      // Publishing never throws into the use case whose change already committed.
    }
  }

  private dispatch(events: readonly BroadcastEvent[]): void {
    for (const event of events) {
      const set = this.streams.get(event.accountId);
      if (set === undefined) continue;
      for (const subscriber of set) {
        if (subscriber.types !== undefined && !subscriber.types.has(event.type)) continue;
        try {
          subscriber.deliver(event);
        } catch {
          subscriber.interrupt();
        }
      }
    }
  }

  private interruptAll(): void {
    for (const set of [...this.streams.values()]) for (const subscriber of [...set]) subscriber.interrupt();
  }
}

/**
 * The data of a message event: what identifies the message and its state, never its content
 * (clients that want it call `GET /api/v2/messages/{message_handle}`), so events stay small.
 */
export function messageEventData(message: Message, previous?: MessageStatus): Record<string, unknown> {
  return {
    message_handle: message.handle,
    status: message.status,
    ...(previous === undefined ? {} : { previous_status: previous }),
    status_sequence: message.statusSeq,
    is_outbound: message.isOutbound,
    message_type: message.messageType,
    number: message.number,
    from_number: message.fromNumber,
    to_number: message.toNumber,
    sendblue_number: message.sendblueNumber,
    group_id: message.groupId === '' ? null : message.groupId,
    service: message.service,
    error_code: message.errorCode,
    error_message: message.errorMessage,
    date_updated: new Date(message.updatedAt).toISOString(),
    // A read is a `message.updated` at the same status (previous_status equal to status).
    date_read: message.dateRead === null ? null : new Date(message.dateRead).toISOString(),
  };
}
