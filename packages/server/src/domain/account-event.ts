/**
 * The live events of one account, as `GET /api/v2/events` streams them (Server-Sent Events).
 * The type names are the official SDK's `AccountEvent` types. Events are published only after the
 * change they report has committed; the stream is live, not a replay log: a client that reconnects
 * repairs gaps through the list endpoints (`updated_at_gte` and friends).
 */
export const ACCOUNT_EVENT_TYPES = [
  'message.received',
  'message.created',
  'message.updated',
  'typing.changed',
  'line.assigned',
  'line.unassigned',
  'line.status.changed',
  'line.blocked',
  'contact.created',
  'verification.approved',
  'verification.expired',
  'verification.canceled',
] as const;

export type AccountEventType = (typeof ACCOUNT_EVENT_TYPES)[number];

export interface AccountEventInput {
  accountId: number;
  type: AccountEventType;
  /** Epoch milliseconds (the injected clock's). */
  occurredAt: number;
  /** A minimal payload: identifiers and the changed fields, never secrets. */
  data: Record<string, unknown>;
}

/** Where use cases hand committed changes for the live stream; publishing never throws. */
export interface AccountEventSink {
  publish(event: AccountEventInput): void;
}

/** For use cases built without a stream (tests, the CLI). */
export const NO_ACCOUNT_EVENTS: AccountEventSink = { publish: () => undefined };
