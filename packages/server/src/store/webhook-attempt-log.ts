import type { Selectable } from 'kysely';
import type { WebhookAttempt } from '../domain/webhook-delivery.js';
import type { TapbackSchema } from './queries/schema.js';

/** A `webhook_attempts` row as every backend returns it (times in epoch ms). */
export type AttemptRow = Omit<Selectable<TapbackSchema['webhook_attempts']>, 'id'>;

/** The columns an attempt is read with. */
export const ATTEMPT_COLUMN_NAMES = [
  'delivery_id',
  'attempt',
  'started_at',
  'duration_ms',
  'http_status',
  'error',
  'request_headers',
  'response_excerpt',
  'response_content_type',
] as const satisfies readonly (keyof AttemptRow)[];

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
      requestHeaders: a.request_headers === null ? null : (JSON.parse(a.request_headers) as Record<string, string>),
      responseExcerpt: a.response_excerpt,
      responseContentType: a.response_content_type,
    });
    byDelivery.set(a.delivery_id, list);
  }
  return byDelivery;
}

/** The `request_headers` column's value for an attempt being recorded. */
export function attemptHeadersJson(a: Partial<Pick<WebhookAttempt, 'requestHeaders'>>): string | null {
  return a.requestHeaders == null ? null : JSON.stringify(a.requestHeaders);
}
