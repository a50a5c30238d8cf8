import type { DeliveryKind, DeliveryStatus } from '../domain/webhook.js';
import type { WebhookDelivery } from '../domain/webhook-delivery.js';

/** A `webhook_deliveries` row as every backend returns it (times in epoch ms), and its domain shape. */
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
