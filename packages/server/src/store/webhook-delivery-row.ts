import type { Selectable } from 'kysely';
import type { DeliveryKind, DeliveryStatus } from '../domain/webhook.js';
import type { WebhookDelivery } from '../domain/webhook-delivery.js';
import type { TapbackSchema } from './queries/schema.js';

/** The columns a delivery is read with, in one list for the hand-written outbox SQL and the plans. */
export const DELIVERY_COLUMN_NAMES = [
  'id',
  'webhook_id',
  'account_id',
  'kind',
  'endpoint_id',
  'url',
  'destination',
  'message_id',
  'message_handle',
  'status_seq',
  'payload',
  'status',
  'attempts',
  'next_attempt_at',
  'last_error',
  'last_http_status',
  'replay_of',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof TapbackSchema['webhook_deliveries'])[];

/** A `webhook_deliveries` row as every backend returns it (times in epoch ms). */
export type DeliveryRow = Pick<Selectable<TapbackSchema['webhook_deliveries']>, (typeof DELIVERY_COLUMN_NAMES)[number]>;

/** The same columns for SQL that reads deliveries as `d`. */
export const DELIVERY_COLUMNS = DELIVERY_COLUMN_NAMES.map((c) => `d.${c}`).join(', ');

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
