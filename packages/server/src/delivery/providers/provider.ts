import type { Logger } from 'pino';
import type { StatusPatch } from '../../domain/job.js';
import type { Message, Service } from '../../domain/message.js';
import type {
  NetworkGroupMembers,
  NetworkGroupRename,
  NetworkInbound,
  NetworkReceipt,
  NetworkTyping,
} from '../../domain/network-event.js';

/**
 * A network that carries a line's messages: the sandbox, SMPP (SMS), later BlueBubbles (iMessage).
 *
 * Tapback builds one instance per line (or per shared connection) from the line's stored settings
 * (a `ProviderFactory`), supervises its connection (connect, reconnect with backoff and jitter,
 * health) and calls `send` once per delivery attempt. What the network reports later arrives through
 * `ProviderEvents`, each applied in one transaction with its webhooks.
 */
export interface Provider {
  /** The provider kind lines name: `sandbox`, `smpp`, `bluebubbles`. */
  readonly kind: string;
  /**
   * The services this network carries: `['iMessage']` for an iMessage bridge, `['SMS']` for an
   * SMSC, all three for the sandbox. Routing sends a message over SMS only through a line whose
   * network carries SMS (the line's fallback line, or the line itself).
   */
  readonly services: readonly Service[];
  /**
   * Opens the connection (connect, bind, log in) and resolves once it is usable; rejects when it
   * cannot be made. The supervisor calls it again, after a backoff, once `closed` settles.
   * Events arriving on the connection go to `events`; the provider acknowledges each to the
   * network only after the promise it got from `events` resolved (it is committed by then), and
   * answers a rejection with the network's "try again later".
   */
  connect(events: ProviderEvents, signal: AbortSignal): Promise<ProviderConnection>;
  /**
   * One delivery attempt. What happened now: accepted (with the network's id for later receipts)
   * or failed, transient (retried with backoff) or permanent (ERROR at once). Never throws for a
   * network's refusal; a throw or a timeout counts as a transient failure.
   */
  send(request: ProviderSendRequest, signal: AbortSignal): Promise<SendResult>;
  /** Optional: which service reaches `number` from this line (`GET /api/evaluate-service`). */
  lookup?(number: string, signal: AbortSignal): Promise<{ service: Service }>;
  /** Optional: shows a typing indicator to `to`. */
  typing?(input: { from: string; to: string }, signal: AbortSignal): Promise<void>;
  /** Optional: marks the 1:1 conversation with `to` read, so `to` sees a read receipt. */
  markRead?(input: { from: string; to: string }, signal: AbortSignal): Promise<void>;
  /**
   * Optional: what the network knows now of a message it accepted earlier (by the ids `send`
   * returned), asked when no delivery arrived within the line's fallback window. `delivered` and
   * `failed` come with the patch to apply; `pending` means the network knows no outcome yet.
   */
  check?(
    input: { message: Message; networkMessageIds: readonly string[] },
    signal: AbortSignal,
  ): Promise<{ state: 'delivered' | 'failed'; patch: StatusPatch } | { state: 'pending' }>;
}

export interface ProviderConnection {
  /** Settles when the connection is lost (with why) or closed by `close()` (undefined). */
  readonly closed: Promise<Error | undefined>;
  /** A clean goodbye (SMPP unbind), then closes. Idempotent. */
  close(): Promise<void>;
}

export interface ProviderSendRequest {
  message: Message;
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * The service routing chose for this attempt (one of the provider's `services`): a network that
   * carries several (the sandbox) sends it as that.
   */
  service: Service;
}

export type SendResult =
  | {
      kind: 'accepted';
      /**
       * The network's ids for the message: one, or one per segment of a long SMS. Later receipts
       * name one of them; a message's status folds those of all its segments.
       */
      networkMessageIds?: readonly string[];
      /** Status changes that are true now (e.g. SENT once the SMSC accepted it), applied in order. */
      patches?: readonly StatusPatch[];
      /**
       * What a network that knows its own timing will report (the sandbox): each event `afterMs`
       * after this call, kept as a durable job and then applied as if the network had reported it.
       */
      scheduled?: readonly ScheduledEvent[];
    }
  | {
      kind: 'failed';
      /** Transient failures are retried with backoff; permanent ones end in ERROR at once. */
      retryable: boolean;
      errorCode: number;
      errorMessage: string;
      errorReason?: string;
      /** The network's own words, e.g. `SMPP command_status 0x0000000B (ESME_RINVDSTADR)`. */
      errorDetail?: string;
      /**
       * The recipient cannot receive this service (not an iMessage user): a line with an SMS
       * fallback sends the message by SMS instead of failing it.
       */
      notOnService?: boolean;
    };

export type ScheduledEvent =
  | { afterMs: number; patch: StatusPatch }
  /** The recipient writes back (the sandbox echo contact), as an inbound message. */
  | { afterMs: number; inbound: { content: string } };

/** What a network reports; Tapback applies each in one transaction together with its webhooks. */
export interface ProviderEvents {
  /**
   * A receipt for a message the line sent, by the network's id for it (or one of its segments).
   * Idempotent: a duplicate changes nothing, a receipt never moves a status backwards, and one
   * that arrives before the send's own outcome is recorded is kept and applied in order.
   */
  onStatus(receipt: NetworkReceipt): Promise<void>;
  /** A message a contact sent to the line; idempotent by `networkMessageId` when given. */
  onInbound(message: NetworkInbound): Promise<void>;
  /** A contact typing to the line: the account's `typing_indicator` webhooks. */
  onTyping?(typing: NetworkTyping): Promise<void>;
  /** A group chat of the line was renamed: the Tapback group mapped to it takes the name. */
  onGroupRenamed?(rename: NetworkGroupRename): Promise<void>;
  /** A group chat of the line gained or lost members: the Tapback group mapped to it follows. */
  onGroupMembers?(change: NetworkGroupMembers): Promise<void>;
}

export type {
  NetworkGroup,
  NetworkGroupMembers,
  NetworkGroupRename,
  NetworkInbound,
  NetworkReceipt,
  NetworkTyping,
} from '../../domain/network-event.js';

/**
 * Builds a line's provider from the line's settings. `parse` validates settings as the CLI and API
 * take them (throwing an error that names the setting); `secrets` names the settings that are
 * credentials, stored sealed and never shown; `connectionKey` groups lines that share one
 * connection (one SMPP bind for several numbers).
 */
export interface ProviderFactory<S = Record<string, unknown>> {
  readonly kind: string;
  parse(settings: Record<string, unknown>): S;
  readonly secrets: readonly string[];
  connectionKey(settings: S): string;
  create(settings: S, deps: ProviderDeps): Provider;
}

export interface ProviderDeps {
  /** Epoch ms on the server's clock. */
  now(): number;
  logger: Logger;
  /** The lines (E.164) this instance carries now (lines may join or leave while it runs). */
  lines?(): readonly string[];
}
