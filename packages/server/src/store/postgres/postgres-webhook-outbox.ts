import type pg from 'pg';
import type { Message } from '../../domain/message.js';
import { destinationOf, newWebhookId } from '../../domain/webhook.js';
import { Batcher, type Settled } from '../../lib/batcher.js';
import type { SecretCipher } from '../../lib/secret-cipher.js';
import type { ClaimedDelivery, NewWebhookDelivery, WebhookAttemptResult } from '../../domain/webhook-delivery.js';
import type { WebhookClaimInput, WebhooksPort } from '../ports/webhooks-port.js';
import {
  type ClaimCandidate,
  deliveryStatusAfter,
  fairClaim,
  receiveDeliveries,
  statusChangeDeliveries,
} from '../webhook-outbox.js';
import { webhookEndpoints, webhookEndpointsOf, webhookSettingsRow } from '../queries/webhook-config-queries.js';
import { disableAfterGone } from '../queries/webhook-outbox-queries.js';
import { type Db, inTransaction } from './postgres-connection.js';
import { runPlan } from './postgres-plan-runner.js';
import { DELIVERY_COLUMNS, type DeliveryRow, deliveryFromRow } from '../webhook-delivery-row.js';
import { attemptHeadersJson } from '../webhook-attempt-log.js';

/**
 * A pending delivery `d` is held back while an earlier one of the same message goes to the same
 * URL (callbacks arrive in status order). OFFSET 0 keeps this a subquery run per candidate, always
 * an index lookup on (message_id, url): as a join, the planner's choice depends on statistics,
 * and a queue's are always stale (taken when it was empty, or not yet taken in a new database), so
 * it picked plans that read every pending delivery once per candidate (O(pending²), 5 to 20 ms per
 * claim with a few thousand pending, which made the backlog grow, which made claims slower).
 */
const NOT_HELD_BACK = `NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.message_id = d.message_id
    AND e.url = d.url AND e.status = 'pending' AND e.id < d.id OFFSET 0)`;

/**
 * The claim walks the due index in (next_attempt_at, id) order and stops once it has a page. With
 * statistics taken while the queue was small, the planner would rather read every due delivery
 * and sort them (a bitmap scan): cheap when few are due, a full read of the backlog per claim when
 * many are, exactly when claims must be fast. Sorting and bitmap scans are ruled out for its
 * transaction (and JIT, which the penalty on a sort that remains would otherwise trigger).
 */
const CLAIM_PLAN = 'SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off; SET LOCAL jit = off';

/**
 * Records a batch of attempts (each delivery once, none a 410) in one statement: the deliveries
 * are locked in id order (the attempt number is read under the lock, as a concurrent record of
 * the same delivery would change it), then the attempts are inserted and the deliveries updated,
 * guarded by status = 'pending' (a delivery disabled meanwhile, by a 410 or a removed entry, stays so).
 * The guard reads the locked row's status (d.status), not w.status: a filter on w.status let the
 * planner, misled by a queue's stale statistics, read every pending delivery to find the batch.
 */
const RECORD_SQL = `WITH t AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::integer[], $4::integer[], $5::text[], $6::text[],
                         $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[])
      AS t(id, started_at, duration_ms, http_status, error, status, next_attempt_at, now,
           request_headers, response_excerpt, response_content_type)),
  d AS (SELECT w.id, w.attempts, w.status FROM webhook_deliveries w JOIN t ON t.id = w.id ORDER BY w.id FOR UPDATE OF w),
  a AS (INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, http_status, error,
                                       request_headers, response_excerpt, response_content_type)
          SELECT d.id, d.attempts + 1, t.started_at, t.duration_ms, t.http_status, t.error,
                 t.request_headers, t.response_excerpt, t.response_content_type FROM d JOIN t ON t.id = d.id),
  u AS (UPDATE webhook_deliveries w SET status = t.status, attempts = d.attempts + 1, next_attempt_at = t.next_attempt_at,
          leased_by = NULL, last_error = t.error, last_http_status = t.http_status, updated_at = t.now
          FROM t JOIN d ON d.id = t.id WHERE w.id = d.id AND d.status = 'pending')
SELECT count(*) AS n FROM d`;

function recordParams(items: readonly WebhookAttemptResult[]): unknown[][] {
  return [
    items.map((r) => r.deliveryId),
    items.map((r) => r.attempt.startedAt),
    items.map((r) => r.attempt.durationMs),
    items.map((r) => r.attempt.httpStatus),
    items.map((r) => r.attempt.error),
    items.map((r) => deliveryStatusAfter(r.outcome)),
    items.map((r) => (r.outcome.kind === 'retry' ? r.outcome.at : null)),
    items.map((r) => r.now),
    items.map((r) => attemptHeadersJson(r.attempt)),
    items.map((r) => r.attempt.responseExcerpt ?? null),
    items.map((r) => r.attempt.responseContentType ?? null),
  ];
}

/** A delivery and the time it was caused (its created_at and first due time). */
export interface TimedDelivery {
  delivery: NewWebhookDelivery;
  at: number;
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

/**
 * The webhook outbox on PostgreSQL. Which deliveries an event causes and which a claim takes is
 * decided in webhook-outbox.ts, as on SQLite. Claims lock candidates with FOR UPDATE SKIP LOCKED,
 * so dispatchers in several processes never take the same delivery.
 */
export class PostgresWebhookOutbox implements Pick<
  WebhooksPort,
  'enqueueWebhooks' | 'claimWebhookDeliveries' | 'recordWebhookAttempt' | 'nextWebhookDeliveryAt'
> {
  private readonly attemptBatcher: Batcher<WebhookAttemptResult, void>;

  constructor(
    private readonly pool: pg.Pool,
    /** Seals and opens the account signing secrets the claims read. */
    private readonly cipher: SecretCipher,
  ) {
    this.attemptBatcher = new Batcher((items) => this.recordBatch(items));
  }

  /** What committed status changes must deliver; run inside the transaction that commits them. */
  async statusChangeDeliveries(db: Db, changes: readonly { message: Message; at: number }[]): Promise<TimedDelivery[]> {
    if (changes.length === 0) return [];
    const accounts = [...new Set(changes.map((c) => c.message.accountId))];
    const rows = await runPlan(db, webhookEndpointsOf, accounts, 'outbound');
    return changes.flatMap(({ message, at }) =>
      statusChangeDeliveries(
        message,
        rows.filter((e) => e.accountId === message.accountId),
      ).map((delivery) => ({ delivery, at })),
    );
  }

  /** The `receive` deliveries of a just-stored inbound message; run inside its transaction. */
  async receiveDeliveries(db: Db, message: Message, at: number): Promise<TimedDelivery[]> {
    const endpoints = await runPlan(db, webhookEndpoints, message.accountId, 'receive');
    return receiveDeliveries(message, endpoints).map((delivery) => ({ delivery, at }));
  }

  async insert(db: Db, deliveries: readonly TimedDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await db.query(insertDeliveriesSql(1), insertDeliveriesParams(deliveries));
  }

  async enqueueWebhooks(deliveries: NewWebhookDelivery[], now: number): Promise<void> {
    await this.insert(
      this.pool,
      deliveries.map((delivery) => ({ delivery, at: now })),
    );
  }

  async claimWebhookDeliveries(input: WebhookClaimInput): Promise<ClaimedDelivery[]> {
    return inTransaction(this.pool, async (c) => {
      await c.query(CLAIM_PLAN);
      const rounds = fairClaim(input);
      let round = rounds.next();
      while (round.done !== true) {
        const { excluded, excludedAccounts, chosen, want } = round.value;
        const rows = await c.query<ClaimCandidate>(
          `SELECT id, account_id AS "accountId", destination FROM webhook_deliveries d
            WHERE status = 'pending' AND next_attempt_at <= $1 AND destination <> ALL($2::text[])
              AND account_id <> ALL($5::bigint[])
              AND id <> ALL($4::bigint[])
              AND ${NOT_HELD_BACK}
            ORDER BY next_attempt_at, id LIMIT $3
            FOR UPDATE SKIP LOCKED`,
          [input.now, excluded, want, chosen, excludedAccounts],
        );
        round = rounds.next(rows.rows);
      }
      const chosen = round.value;
      if (chosen.length === 0) return [];
      const rows = (
        await c.query<DeliveryRow & { endpoint_secret: string | null }>(
          // The lease lives in the row (next_attempt_at moves to its end), so dispatchers of every
          // process respect it; what is returned is the delivery as it was due.
          `WITH due AS (SELECT id, next_attempt_at FROM webhook_deliveries WHERE id = ANY($3::bigint[])),
           leased AS (
             UPDATE webhook_deliveries w SET next_attempt_at = $1, leased_by = $2 FROM due WHERE w.id = due.id
             RETURNING w.*, due.next_attempt_at AS due_at)
           SELECT ${DELIVERY_COLUMNS.replace('d.next_attempt_at', 'd.due_at AS next_attempt_at')},
                  e.secret AS endpoint_secret FROM leased d
             LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id
            ORDER BY d.due_at, d.id`,
          [input.leaseUntil, input.workerId, chosen],
        )
      ).rows;
      const secrets = new Map<number, { signing_secret: string; global_secret: string | null }>();
      const out: ClaimedDelivery[] = [];
      for (const r of rows) {
        let s = secrets.get(r.account_id);
        if (s === undefined)
          secrets.set(r.account_id, (s = await runPlan(c, webhookSettingsRow, this.cipher, r.account_id, input.now)));
        out.push({
          delivery: deliveryFromRow(r),
          payload: r.payload,
          signingSecret: s.signing_secret,
          sharedSecret: r.endpoint_secret ?? s.global_secret,
        });
      }
      return out;
    });
  }

  recordWebhookAttempt(result: WebhookAttemptResult): Promise<void> {
    return this.attemptBatcher.submit(result);
  }

  /**
   * All attempts finished in one event-loop turn share one commit (group commit). The common
   * batch (no 410 Gone, each delivery once) is one statement, one round trip: one statement per
   * row held a pooled connection in a transaction for three round trips per attempt.
   */
  private async recordBatch(items: WebhookAttemptResult[]): Promise<Settled<void>[]> {
    const ids = new Set(items.map((r) => r.deliveryId));
    if (ids.size === items.length && items.every((r) => r.outcome.kind !== 'gone')) {
      await this.pool.query({ name: 'tapback-webhooks-record', text: RECORD_SQL, values: recordParams(items) });
      return items.map(() => ({ ok: true, value: undefined }));
    }
    await inTransaction(this.pool, async (c) => {
      for (const r of items) {
        const d = (
          await c.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = $1 FOR UPDATE', [r.deliveryId])
        ).rows[0];
        if (d === undefined) continue;
        const a = r.attempt;
        await c.query(
          `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, http_status, error,
             request_headers, response_excerpt, response_content_type)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            d.id,
            d.attempts + 1,
            a.startedAt,
            a.durationMs,
            a.httpStatus,
            a.error,
            attemptHeadersJson(a),
            a.responseExcerpt ?? null,
            a.responseContentType ?? null,
          ],
        );
        const o = r.outcome;
        const status = deliveryStatusAfter(o);
        // Guarded by status = 'pending': a delivery disabled meanwhile (410, entry removed) stays so.
        await c.query(
          `UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, leased_by = NULL,
             last_error = $3, last_http_status = $4, updated_at = $5 WHERE id = $6 AND status = 'pending'`,
          [status, o.kind === 'retry' ? o.at : null, a.error, a.httpStatus, r.now, d.id],
        );
        if (o.kind === 'gone') {
          await runPlan(c, disableAfterGone, { endpointId: d.endpoint_id, messageId: d.message_id, url: d.url }, r.now);
        }
      }
    });
    return items.map(() => ({ ok: true, value: undefined }));
  }

  /**
   * Leases are rows here (shared by every process), so `now` needs no in-memory bookkeeping.
   * ORDER BY ... LIMIT 1, not min(): the due index is walked in order and the walk stops at the
   * first delivery no earlier one holds back, where min() over the NOT EXISTS anti-join reads
   * every pending row (~20 ms per call with a few thousand pending, on every dispatcher round).
   */
  async nextWebhookDeliveryAt(): Promise<number | null> {
    const r = await this.pool.query<{ t: number }>({
      name: 'tapback-webhooks-next-due',
      text: `SELECT next_attempt_at AS t FROM webhook_deliveries d WHERE status = 'pending'
         AND ${NOT_HELD_BACK} ORDER BY next_attempt_at, id LIMIT 1`,
    });
    return r.rows[0]?.t ?? null;
  }
}
