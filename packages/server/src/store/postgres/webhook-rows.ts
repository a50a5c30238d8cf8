import {
  type DeliveryKind,
  type DeliveryStatus,
  type WebhookType,
  destinationOf,
  newWebhookId,
} from '../../domain/webhook.js';
import type { NewWebhookDelivery, WebhookDelivery, WebhookEndpoint } from '../store.js';

/** Rows of the webhook tables as PostgreSQL returns them, their domain shapes, and the bulk insert. */

/** A delivery and the time it was caused (its created_at and first due time). */
export interface TimedDelivery {
  delivery: NewWebhookDelivery;
  at: number;
}

export interface EndpointRow {
  id: number;
  account_id: number;
  type: string;
  url: string;
  secret: string | null;
  sendblue_numbers: string[] | null;
  disabled_at: number | null;
  disabled_reason: string | null;
  created_at: number;
}

export interface DeliveryRow {
  id: number;
  webhook_id: string;
  account_id: number;
  kind: string;
  endpoint_id: number | null;
  url: string;
  destination: string;
  message_id: number | null;
  message_handle: string | null;
  status_seq: number | null;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  last_http_status: number | null;
  replay_of: number | null;
  created_at: number;
  updated_at: number;
}

export const DELIVERY_COLUMNS = `d.id, d.webhook_id, d.account_id, d.kind, d.endpoint_id, d.url, d.destination, d.message_id,
  d.message_handle, d.status_seq, d.payload, d.status, d.attempts, d.next_attempt_at, d.last_error, d.last_http_status,
  d.replay_of, d.created_at, d.updated_at`;

const INSERT_COLUMNS: readonly [string, string, (t: TimedDelivery) => unknown][] = [
  ['webhook_id', 'text', () => newWebhookId()],
  ['account_id', 'bigint', (t) => t.delivery.accountId],
  ['kind', 'text', (t) => t.delivery.kind],
  ['endpoint_id', 'bigint', (t) => t.delivery.endpointId],
  ['url', 'text', (t) => t.delivery.url],
  ['destination', 'text', (t) => destinationOf(t.delivery.accountId, t.delivery.url)],
  ['message_id', 'bigint', (t) => t.delivery.messageId],
  ['message_handle', 'text', (t) => t.delivery.messageHandle],
  ['status_seq', 'integer', (t) => t.delivery.statusSeq],
  ['payload', 'text', (t) => t.delivery.payload],
  ['next_attempt_at', 'bigint', (t) => t.at],
  ['created_at', 'bigint', (t) => t.at],
  ['updated_at', 'bigint', (t) => t.at],
];

/** Inserts any number of deliveries, pending and due at their `at`, from `$start` on. */
export function insertDeliveriesSql(start: number): string {
  const names = INSERT_COLUMNS.map(([c]) => c).join(', ');
  const arrays = INSERT_COLUMNS.map(([, type], i) => `$${start + i}::${type}[]`).join(', ');
  return `INSERT INTO webhook_deliveries (${names}, status)
    SELECT *, 'pending' FROM unnest(${arrays}) RETURNING id`;
}

export function insertDeliveriesParams(deliveries: readonly TimedDelivery[]): unknown[][] {
  return INSERT_COLUMNS.map(([, , read]) => deliveries.map(read));
}

export function endpointFromRow(r: EndpointRow): WebhookEndpoint {
  return {
    id: r.id,
    accountId: r.account_id,
    type: r.type as WebhookType,
    url: r.url,
    secret: r.secret,
    sendblueNumbers: r.sendblue_numbers,
    disabledAt: r.disabled_at,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
  };
}

export function deliveryFromRow(r: DeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    accountId: r.account_id,
    kind: r.kind as DeliveryKind,
    endpointId: r.endpoint_id,
    url: r.url,
    destination: r.destination,
    messageHandle: r.message_handle,
    statusSeq: r.status_seq,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    lastHttpStatus: r.last_http_status,
    replayOf: r.replay_of,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
