import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Webhooks as the domain sees them: the account webhook types of Sendblue's webhook management API
 * (`/api/account/webhooks`), plus `status_callback`, the per-message URL given at send time.
 */
export const WEBHOOK_TYPES = [
  'receive',
  'outbound',
  'typing_indicator',
  'call_log',
  'line_blocked',
  'line_assigned',
  'contact_created',
] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** What a delivery is for: an account webhook type, or a message's own status callback. */
export type DeliveryKind = WebhookType | 'status_callback';

/**
 * pending: waiting for its next attempt (or in flight); succeeded: a 2xx arrived; failed: the retry
 * schedule ran out (or the address is forbidden); disabled: the endpoint answered 410 Gone or was removed.
 */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'disabled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Statuses whose change fires a message's status callback and the account's `outbound` webhooks. */
export const CALLBACK_STATUSES: ReadonlySet<string> = new Set(['SENT', 'DELIVERED', 'ERROR', 'DECLINED']);

/** Standard Webhooks secret: `whsec_` + base64 of 32 random bytes (the key is the decoded bytes). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The `webhook-id` of a delivery: unique per event and destination, stable across its retries. */
export function newWebhookId(): string {
  return `msg_${uuidv7().replace(/-/g, '')}`;
}

/**
 * The fairness key: deliveries to one host of one account share a concurrency budget, so a dead
 * endpoint can only ever hold its own slots.
 */
export function destinationOf(accountId: number, url: string): string {
  let host: string;
  try {
    host = new URL(url).host.toLowerCase();
  } catch {
    host = url;
  }
  return `${accountId}|${host}`;
}
