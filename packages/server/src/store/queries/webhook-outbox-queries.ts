import { sql } from 'kysely';
import { type Plan, type QB, run } from './query-plan.js';

/** Why a 410's deliveries were switched off, as the delivery log shows it. */
const GONE_REASON = 'endpoint answered 410 Gone';

/**
 * Inside the transaction recording an attempt that got 410 Gone: the account entry it went to is
 * disabled with all its pending deliveries, or, for a message's own status callback, the
 * callback URL is dropped from the message with its pending deliveries. Rare, so one plan for both
 * backends rather than hand-tuned SQL.
 */
export function* disableAfterGone(
  q: QB,
  delivery: { endpointId: number | null; messageId: number | null; url: string },
  now: number,
): Plan<void> {
  const disabled = {
    status: 'disabled',
    next_attempt_at: null,
    ...q.dialectValues.releasedLease,
    last_error: GONE_REASON,
    updated_at: now,
  } as const;
  if (delivery.endpointId !== null) {
    yield* run(
      q
        .updateTable('webhook_endpoints')
        .set({ disabled_at: now, disabled_reason: GONE_REASON })
        .where('id', '=', delivery.endpointId),
    );
    yield* run(
      q
        .updateTable('webhook_deliveries')
        .set(disabled)
        .where('endpoint_id', '=', delivery.endpointId)
        .where('status', '=', sql.lit('pending')),
    );
  } else if (delivery.messageId !== null) {
    yield* run(q.updateTable('messages').set({ status_callback: null }).where('id', '=', delivery.messageId));
    yield* run(
      q
        .updateTable('webhook_deliveries')
        .set(disabled)
        .where('message_id', '=', delivery.messageId)
        .where('url', '=', delivery.url)
        .where('kind', '=', 'status_callback')
        .where('status', '=', sql.lit('pending')),
    );
  }
}
