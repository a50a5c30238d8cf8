import type { Selectable } from 'kysely';
import type { WebhookAttempt } from '../domain/webhook-delivery.js';
import type { TapbackSchema } from './queries/schema.js';

/** A `webhook_attempts` row as every backend returns it (times in epoch ms). */
export type AttemptRow = Omit<Selectable<TapbackSchema['webhook_attempts']>, 'id'>;

/** Attempt rows (ordered by delivery, then attempt) grouped into each delivery's log. */
export function attemptsByDelivery(rows: readonly AttemptRow[]): Map<number, WebhookAttempt[]> {
  const byDelivery = new Map<number, WebhookAttempt[]>();
  for (const a of rows) {
    const list = byDelivery.get(a.delivery_id) ?? [];
    list.push({
      attempt: a.attempt,
      startedAt: a.started_at,
      durationMs: a.duration_ms,
      httpStatus: a.http_status,
      error: a.error,
    });
    byDelivery.set(a.delivery_id, list);
  }
  return byDelivery;
}
