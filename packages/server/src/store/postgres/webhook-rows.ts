import { type WebhookType, destinationOf, newWebhookId } from '../../domain/webhook.js';
import type { NewWebhookDelivery, WebhookEndpoint } from '../../domain/webhook-delivery.js';

/** Endpoint rows as PostgreSQL returns them, and the bulk insert of deliveries (the delivery row is shared: ../webhook-delivery-row.ts). */

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
