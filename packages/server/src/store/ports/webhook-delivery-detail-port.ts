import type { WebhookDeliveryDetail } from '../../domain/webhook-delivery.js';

/** One delivery of the log in full: what was sent (payload, signed headers) and what came back. */
export interface WebhookDeliveryDetailPort {
  /** By primary key; undefined when missing or another account's. */
  getWebhookDelivery(accountId: number, id: number): Promise<WebhookDeliveryDetail | undefined>;
}
