import type { WebhookDelivery, WebhookDeliveryDetail, WebhookDeliveryLog } from '../../domain/webhook-delivery.js';
import type { DeliveryQuery } from '../ports/webhooks-port.js';
import { ATTEMPT_COLUMN_NAMES, attemptsByDelivery } from '../webhook-attempt-log.js';
import { DELIVERY_COLUMN_NAMES, deliveryFromRow } from '../webhook-delivery-row.js';
import { type Plan, type QB, all, first } from './query-plan.js';

/** The delivery log (`GET /api/account/webhooks/deliveries`) and replays: off the outbox's hot path. */

/** What a replay does not copy of the delivery it replays: its state, and its own identity and times. */
const NOT_COPIED: ReadonlySet<string> = new Set([
  'id',
  'status',
  'attempts',
  'next_attempt_at',
  'last_error',
  'last_http_status',
  'replay_of',
  'created_at',
  'updated_at',
]);
/** What a replay copies: the same event, to the same place. */
const COPIED = DELIVERY_COLUMN_NAMES.filter((c) => !NOT_COPIED.has(c));

/** A page of the account's deliveries, newest first, each with its attempts, and the total. */
export function* listWebhookDeliveries(
  q: QB,
  accountId: number,
  query: DeliveryQuery,
): Plan<{ deliveries: WebhookDeliveryLog[]; total: number }> {
  let matching = q.selectFrom('webhook_deliveries').where('account_id', '=', accountId);
  if (query.messageHandle !== undefined) matching = matching.where('message_handle', '=', query.messageHandle);
  if (query.status !== undefined) matching = matching.where('status', '=', query.status);
  if (query.url !== undefined) matching = matching.where('url', '=', query.url);
  const rows = yield* all(
    matching.select(DELIVERY_COLUMN_NAMES).orderBy('id', 'desc').limit(query.limit).offset(query.offset),
  );
  const counted = yield* first(matching.select((eb) => eb.fn.countAll<number>().as('n')));
  const attempts =
    rows.length === 0
      ? []
      : yield* all(
          q
            .selectFrom('webhook_attempts')
            .select(ATTEMPT_COLUMN_NAMES)
            .where((eb) =>
              q.dialectValues.idIn(
                eb.ref('delivery_id'),
                rows.map((r) => r.id),
              ),
            )
            .orderBy('delivery_id')
            .orderBy('attempt'),
        );
  const byDelivery = attemptsByDelivery(attempts);
  return {
    deliveries: rows.map((r) => ({ ...deliveryFromRow(r), attemptLog: byDelivery.get(r.id) ?? [] })),
    total: counted?.n ?? 0,
  };
}

/** One of the account's deliveries with its payload and attempts, by primary key; undefined if not the account's. */
export function* getWebhookDelivery(q: QB, accountId: number, id: number): Plan<WebhookDeliveryDetail | undefined> {
  const row = yield* first(
    q
      .selectFrom('webhook_deliveries')
      .select(DELIVERY_COLUMN_NAMES)
      .where('id', '=', id)
      .where('account_id', '=', accountId),
  );
  if (row === undefined) return undefined;
  const attempts = yield* all(
    q.selectFrom('webhook_attempts').select(ATTEMPT_COLUMN_NAMES).where('delivery_id', '=', id).orderBy('attempt'),
  );
  return { ...deliveryFromRow(row), payload: row.payload, attemptLog: attemptsByDelivery(attempts).get(id) ?? [] };
}

/** A copy of the account's delivery (same webhook-id and payload), due at `now`; one statement. */
export function* replayWebhookDelivery(
  q: QB,
  accountId: number,
  id: number,
  now: number,
): Plan<WebhookDelivery | undefined> {
  const row = yield* first(
    q
      .insertInto('webhook_deliveries')
      .columns([...COPIED, 'status', 'next_attempt_at', 'replay_of', 'created_at', 'updated_at'])
      .expression((eb) =>
        eb
          .selectFrom('webhook_deliveries')
          .select([
            ...COPIED,
            eb.val('pending').as('status'),
            eb.val(now).as('next_attempt_at'),
            'id',
            eb.val(now).as('created_at'),
            eb.val(now).as('updated_at'),
          ])
          .where('id', '=', id)
          .where('account_id', '=', accountId),
      )
      .returning(DELIVERY_COLUMN_NAMES),
  );
  return row && deliveryFromRow(row);
}
