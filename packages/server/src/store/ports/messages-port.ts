import type { ComplianceKeyword } from '../../domain/opt-out.js';
import type { Message, NewMessage } from '../../domain/message.js';
import type { MessageQuery } from '../../domain/message-query.js';

/** Messages: accepted (outbound and inbound), read one by one, and listed. */
export interface MessagesPort {
  /**
   * Stores an outbound message and its first delivery job in one transaction, or replays the
   * response stored under the same idempotency key. Backends batch concurrent calls into one
   * transaction (group commit); each caller still gets its own result.
   */
  acceptOutbound(input: AcceptInput): Promise<AcceptResult>;
  /**
   * Stores an inbound message in one transaction with everything it causes: a compliance
   * keyword's effect on the contact's opt-out state (the message's `optedOut` is the state after
   * it), the account's `receive` webhook deliveries, and the HELP reply (QUEUED with its send job,
   * or DECLINED if the contact has opted out). A message whose handle, or whose network id on its
   * line, is already stored is not stored again (`duplicate`), so neither a retried inbound job
   * nor a network's redelivery delivers twice.
   */
  acceptInbound(input: InboundInput): Promise<InboundResult>;
  getMessage(accountId: number, handle: string): Promise<Message | undefined>;
  /** A page and the total it was chosen from, both read from one snapshot. */
  listMessages(accountId: number, query: MessageQuery): Promise<{ messages: Message[]; total: number }>;
  /**
   * The same page, each message as its wire JSON text (what `toWire` and the `Message` response
   * schema make of it), rendered by the database (store/message-wire-sql.ts).
   */
  listMessagesWire(accountId: number, query: MessageQuery): Promise<{ messages: string[]; total: number }>;
  /**
   * Backends shared by several processes (`capabilities.multiProcess`) call `listener` whenever
   * any process commits new messages, with the ids of their accounts (undefined: possibly any
   * account's), so pending waits look again at once and never poll. Returns the unsubscribe
   * function. Single-process backends leave it out: the one process storing messages wakes its
   * waits itself.
   */
  onMessagesStored?(listener: (accountIds: readonly number[] | undefined) => void): () => void;
}

export interface AcceptInput {
  message: NewMessage;
  /** When set, the first response under this key is replayed instead of storing again. */
  idempotency?: AcceptIdempotency;
  /** Sends are refused (nothing stored) when this many of the account's messages are QUEUED. */
  queueLimit: number;
  /**
   * Stored instead of `message` (its `responseBody` under the idempotency key) when the contact
   * has opted out of the account, as decided inside the accepting transaction: a DECLINED copy
   * that gets no send job, only its status callbacks.
   */
  whenOptedOut?: { message: NewMessage; responseBody: string };
}

export interface AcceptIdempotency {
  key: string;
  requestHash: string;
  responseBody: string;
  /**
   * Set when `key` is derived from the request's digest rather than given by the client (an
   * official SDK retry's match, see messaging/request-identity.ts): only a response stored at or
   * after `since` is replayed (none when `since` is undefined: a first attempt), and storing
   * overwrites the key's older response.
   */
  retryMatch?: { since: number | undefined };
}

export type AcceptResult =
  | { kind: 'accepted'; message: Message }
  | { kind: 'replay'; requestHash: string; responseBody: string }
  | { kind: 'queue_full' };

export interface InboundInput {
  /** RECEIVED and inbound; `optedOut` is set by the store from the contact's state. */
  message: NewMessage;
  /** The compliance keyword the message consists of (1:1 messages only). */
  keyword: ComplianceKeyword | null;
  /** For HELP: the QUEUED reply to send back (the store declines it if the contact opted out). */
  helpReply?: NewMessage;
  /**
   * The network's id for it, stored as its `providerMessageId`: a redelivery with the same id on
   * the same line (`message.sendblueNumber`) is the message already stored (`duplicate`).
   */
  providerMessageId?: string;
}

export interface InboundResult {
  message: Message;
  /** The HELP reply as stored. */
  reply: Message | null;
  /** The handle was already stored: nothing was stored or queued now. */
  duplicate: boolean;
}
