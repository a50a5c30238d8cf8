import type { DeliveryStatus, WebhookType } from '../../domain/webhook.js';
import type { InFlightLoad } from '../webhook-outbox.js';
import type {
  ClaimedDelivery,
  NewWebhookDelivery,
  WebhookAttemptResult,
  WebhookConfig,
  WebhookConfigUpdate,
  WebhookDelivery,
  WebhookDeliveryLog,
} from '../../domain/webhook-delivery.js';

/**
 * Webhooks: account entries, secrets and the delivery outbox. Every status change inserts the
 * deliveries it causes in its own transaction, so the outbox is exactly as durable as the status.
 */
export interface WebhooksPort {
  /** The account's entries and secrets; the signing secret is created on first use. */
  getWebhookConfig(accountId: number, now: number): Promise<WebhookConfig>;
  /** Appends (upserting by type and url) or replaces every entry; removed entries' pending deliveries are disabled. */
  updateWebhookConfig(accountId: number, update: WebhookConfigUpdate, now: number): Promise<WebhookConfig>;
  /** Removes entries by url (of one type, or of every type); returns how many. */
  removeWebhookEndpoints(
    accountId: number,
    input: { urls: string[]; type?: WebhookType; now: number },
  ): Promise<number>;
  /** Adds deliveries to the outbox, due at `now` (events that are not message status changes). */
  enqueueWebhooks(deliveries: NewWebhookDelivery[], now: number): Promise<void>;
  /**
   * Leases up to `limit` due deliveries, taken round-robin across accounts and then across an
   * account's destinations, at most `perAccount` in flight per account and `perDestination` per
   * destination (counting `inFlight`), and never one whose earlier event for the same message and url is
   * still pending, so a consumer sees a message's statuses in order.
   */
  claimWebhookDeliveries(input: WebhookClaimInput): Promise<ClaimedDelivery[]>;
  /** Records one attempt and its outcome; a `gone` outcome disables the endpoint. */
  recordWebhookAttempt(result: WebhookAttemptResult): Promise<void>;
  /** The earliest time a pending delivery may be claimed (lease expiries included); null when none. */
  nextWebhookDeliveryAt(now: number): Promise<number | null>;
  listWebhookDeliveries(
    accountId: number,
    query: DeliveryQuery,
  ): Promise<{ deliveries: WebhookDeliveryLog[]; total: number }>;
  /** Queues a copy of a delivery (same webhook-id and payload) due now; undefined if not the account's. */
  replayWebhookDelivery(accountId: number, id: number, now: number): Promise<WebhookDelivery | undefined>;
}

export interface WebhookClaimInput {
  now: number;
  leaseUntil: number;
  workerId: string;
  limit: number;
  perDestination: number;
  perAccount: number;
  /** Deliveries this dispatcher has in flight, by destination and by account. */
  inFlight: InFlightLoad;
  /**
   * Whether to look past deliveries whose destination or account is full, for others' (false: one
   * round only). Those further rounds walk the backlog of the full ones; the dispatcher asks for
   * them at a bounded rate.
   */
  lookPastFull?: boolean;
}

export interface DeliveryQuery {
  limit: number;
  offset: number;
  messageHandle?: string;
  status?: DeliveryStatus;
  url?: string;
}
