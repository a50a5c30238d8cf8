import type pg from 'pg';
import type { Message } from '../../domain/message.js';
import { type DeliveryStatus, type WebhookType, newSigningSecret } from '../../domain/webhook.js';
import { Batcher, type Settled } from '../batcher.js';
import type {
  ClaimedDelivery,
  NewWebhookDelivery,
  WebhookAttemptResult,
  WebhookConfig,
  WebhookConfigUpdate,
  WebhookDelivery,
  WebhookDeliveryLog,
  WebhookEndpoint,
  WebhookOutcome,
} from '../../domain/webhook-delivery.js';
import type { DeliveryQuery, WebhookClaimInput } from '../ports/webhooks-port.js';
import { type ClaimCandidate, pickFair, receiveDeliveries, statusChangeDeliveries } from '../webhook-outbox.js';
import { type AttemptRow, attemptsByDelivery } from '../webhook-attempt-log.js';
import { type Db, inTransaction } from './postgres-pool.js';
import { DELIVERY_COLUMNS, type DeliveryRow, deliveryFromRow } from '../webhook-delivery-row.js';
import {
  type EndpointRow,
  type TimedDelivery,
  endpointFromRow,
  insertDeliveriesParams,
  insertDeliveriesSql,
} from './webhook-rows.js';

/** Rounds of "query, take fairly, exclude full destinations" per claim; each round fills a slot or ends. */
const MAX_CLAIM_ROUNDS = 8;

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
                         $7::bigint[], $8::bigint[])
      AS t(id, started_at, duration_ms, http_status, error, status, next_attempt_at, now)),
  d AS (SELECT w.id, w.attempts, w.status FROM webhook_deliveries w JOIN t ON t.id = w.id ORDER BY w.id FOR UPDATE OF w),
  a AS (INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, http_status, error)
          SELECT d.id, d.attempts + 1, t.started_at, t.duration_ms, t.http_status, t.error FROM d JOIN t ON t.id = d.id),
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
  ];
}

function deliveryStatusAfter(o: WebhookOutcome): DeliveryStatus {
  return o.kind === 'succeeded'
    ? 'succeeded'
    : o.kind === 'retry'
      ? 'pending'
      : o.kind === 'gone'
        ? 'disabled'
        : 'failed';
}

/**
 * The webhook tables of the PostgreSQL backend, mirroring `SqliteWebhooks` rule for rule (the
 * rules themselves live in webhook-outbox.ts). Claims lock candidates with FOR UPDATE SKIP
 * LOCKED, so dispatchers in several processes never take the same delivery.
 */
export class PostgresWebhooks {
  private readonly attemptBatcher: Batcher<WebhookAttemptResult, void>;

  constructor(private readonly pool: pg.Pool) {
    this.attemptBatcher = new Batcher((items) => this.recordBatch(items));
  }

  /** What committed status changes must deliver; run inside the transaction that commits them. */
  async statusChangeDeliveries(db: Db, changes: readonly { message: Message; at: number }[]): Promise<TimedDelivery[]> {
    if (changes.length === 0) return [];
    const accounts = [...new Set(changes.map((c) => c.message.accountId))];
    const rows = (
      await db.query<EndpointRow>(
        `SELECT * FROM webhook_endpoints WHERE account_id = ANY($1::bigint[]) AND type = 'outbound' ORDER BY position, id`,
        [accounts],
      )
    ).rows.map(endpointFromRow);
    return changes.flatMap(({ message, at }) =>
      statusChangeDeliveries(
        message,
        rows.filter((e) => e.accountId === message.accountId),
      ).map((delivery) => ({ delivery, at })),
    );
  }

  /** The `receive` deliveries of a just-stored inbound message; run inside its transaction. */
  async receiveDeliveries(db: Db, message: Message, at: number): Promise<TimedDelivery[]> {
    const endpoints = await this.endpoints(db, message.accountId, 'receive');
    return receiveDeliveries(message, endpoints).map((delivery) => ({ delivery, at }));
  }

  async insert(db: Db, deliveries: readonly TimedDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await db.query(insertDeliveriesSql(1), insertDeliveriesParams(deliveries));
  }

  async enqueue(deliveries: NewWebhookDelivery[], now: number): Promise<void> {
    await this.insert(
      this.pool,
      deliveries.map((delivery) => ({ delivery, at: now })),
    );
  }

  private async endpoints(db: Db, accountId: number, type?: WebhookType): Promise<WebhookEndpoint[]> {
    const rows =
      type === undefined
        ? await db.query<EndpointRow>(
            'SELECT * FROM webhook_endpoints WHERE account_id = $1 ORDER BY type, position, id',
            [accountId],
          )
        : await db.query<EndpointRow>(
            'SELECT * FROM webhook_endpoints WHERE account_id = $1 AND type = $2 ORDER BY position, id',
            [accountId, type],
          );
    return rows.rows.map(endpointFromRow);
  }

  /** The account's settings row, created (with a fresh signing secret) on first use. */
  private async settings(
    db: Db,
    accountId: number,
    now: number,
  ): Promise<{ signing_secret: string; global_secret: string | null }> {
    await db.query(
      `INSERT INTO webhook_settings (account_id, signing_secret, global_secret, updated_at) VALUES ($1, $2, NULL, $3)
       ON CONFLICT (account_id) DO NOTHING`,
      [accountId, newSigningSecret(), now],
    );
    const r = await db.query<{ signing_secret: string; global_secret: string | null }>(
      'SELECT signing_secret, global_secret FROM webhook_settings WHERE account_id = $1',
      [accountId],
    );
    const row = r.rows[0];
    if (row === undefined) throw new Error('webhook settings vanished after insert');
    return row;
  }

  async getConfig(accountId: number, now: number): Promise<WebhookConfig> {
    return inTransaction(this.pool, async (c) => {
      const s = await this.settings(c, accountId, now);
      return {
        signingSecret: s.signing_secret,
        globalSecret: s.global_secret,
        endpoints: await this.endpoints(c, accountId),
      };
    });
  }

  async updateConfig(accountId: number, update: WebhookConfigUpdate, now: number): Promise<WebhookConfig> {
    await inTransaction(this.pool, async (c) => {
      await this.settings(c, accountId, now);
      // Serialises concurrent updates of one account (positions are computed from the rows).
      await c.query('SELECT 1 FROM webhook_settings WHERE account_id = $1 FOR UPDATE', [accountId]);
      if (update.globalSecret !== undefined) {
        await c.query('UPDATE webhook_settings SET global_secret = $1, updated_at = $2 WHERE account_id = $3', [
          update.globalSecret,
          now,
          accountId,
        ]);
      }
      if (update.mode === 'replace') {
        const keep = new Set(update.endpoints.map((e) => `${e.type} ${e.url}`));
        const gone = (await this.endpoints(c, accountId)).filter((e) => !keep.has(`${e.type} ${e.url}`));
        await this.deleteEndpoints(
          c,
          gone.map((e) => e.id),
          now,
        );
      }
      const max = await c.query<{ p: number }>(
        'SELECT coalesce(max(position), -1) AS p FROM webhook_endpoints WHERE account_id = $1',
        [accountId],
      );
      let position = update.mode === 'replace' ? 0 : (max.rows[0]?.p ?? -1) + 1;
      for (const e of update.endpoints) {
        const numbers = e.sendblueNumbers === null ? null : JSON.stringify(e.sendblueNumbers);
        await c.query(
          `INSERT INTO webhook_endpoints (account_id, type, url, secret, sendblue_numbers, position, created_at)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
           ON CONFLICT (account_id, type, url) DO UPDATE SET secret = excluded.secret,
             sendblue_numbers = excluded.sendblue_numbers, disabled_at = NULL, disabled_reason = NULL,
             position = CASE WHEN $8 THEN excluded.position ELSE webhook_endpoints.position END`,
          [accountId, e.type, e.url, e.secret, numbers, position++, now, update.mode === 'replace'],
        );
      }
    });
    return this.getConfig(accountId, now);
  }

  async removeEndpoints(
    accountId: number,
    input: { urls: string[]; type?: WebhookType; now: number },
  ): Promise<number> {
    const urls = new Set(input.urls);
    return inTransaction(this.pool, async (c) => {
      const gone = (await this.endpoints(c, accountId, input.type)).filter((e) => urls.has(e.url));
      await this.deleteEndpoints(
        c,
        gone.map((e) => e.id),
        input.now,
      );
      return gone.length;
    });
  }

  /** Inside a transaction: a removed entry's undelivered events are disabled, not sent. */
  private async deleteEndpoints(c: Db, ids: number[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await c.query(
      `UPDATE webhook_deliveries SET status = 'disabled', next_attempt_at = NULL, leased_by = NULL,
         last_error = 'webhook entry removed', updated_at = $1
       WHERE status = 'pending' AND endpoint_id = ANY($2::bigint[])`,
      [now, ids],
    );
    await c.query('DELETE FROM webhook_endpoints WHERE id = ANY($1::bigint[])', [ids]);
  }

  async claim(input: WebhookClaimInput): Promise<ClaimedDelivery[]> {
    return inTransaction(this.pool, async (c) => {
      await c.query(CLAIM_PLAN);
      const load = new Map(input.inFlight);
      const excluded = [...load].filter(([, n]) => n >= input.perDestination).map(([d]) => d);
      const chosen: number[] = [];
      for (let round = 0; round < MAX_CLAIM_ROUNDS && chosen.length < input.limit; round++) {
        const want = (input.limit - chosen.length) * 2;
        const rows = (
          await c.query<ClaimCandidate>(
            `SELECT id, destination FROM webhook_deliveries d
              WHERE status = 'pending' AND next_attempt_at <= $1 AND destination <> ALL($2::text[])
                AND id <> ALL($4::bigint[])
                AND ${NOT_HELD_BACK}
              ORDER BY next_attempt_at, id LIMIT $3
              FOR UPDATE SKIP LOCKED`,
            [input.now, excluded, want, chosen],
          )
        ).rows;
        const picked = pickFair(rows, input.limit - chosen.length, input.perDestination, load);
        chosen.push(...picked.ids);
        const newlyFull = picked.full.filter((d) => !excluded.includes(d));
        if (rows.length < want || newlyFull.length === 0) break;
        excluded.push(...newlyFull);
      }
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
        if (s === undefined) secrets.set(r.account_id, (s = await this.settings(c, r.account_id, input.now)));
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

  record(result: WebhookAttemptResult): Promise<void> {
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
          `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, http_status, error)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [d.id, d.attempts + 1, a.startedAt, a.durationMs, a.httpStatus, a.error],
        );
        const o = r.outcome;
        const status = deliveryStatusAfter(o);
        // Guarded by status = 'pending': a delivery disabled meanwhile (410, entry removed) stays so.
        await c.query(
          `UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, leased_by = NULL,
             last_error = $3, last_http_status = $4, updated_at = $5 WHERE id = $6 AND status = 'pending'`,
          [status, o.kind === 'retry' ? o.at : null, a.error, a.httpStatus, r.now, d.id],
        );
        if (o.kind === 'gone') await this.disableAfterGone(c, d, r.now);
      }
    });
    return items.map(() => ({ ok: true, value: undefined }));
  }

  /** 410 Gone: the entry (or the message's status callback) is switched off with its pending events. */
  private async disableAfterGone(c: Db, d: DeliveryRow, now: number): Promise<void> {
    const reason = 'endpoint answered 410 Gone';
    if (d.endpoint_id !== null) {
      await c.query('UPDATE webhook_endpoints SET disabled_at = $1, disabled_reason = $2 WHERE id = $3', [
        now,
        reason,
        d.endpoint_id,
      ]);
      await c.query(
        `UPDATE webhook_deliveries SET status = 'disabled', next_attempt_at = NULL, leased_by = NULL, last_error = $1,
           updated_at = $2 WHERE endpoint_id = $3 AND status = 'pending'`,
        [reason, now, d.endpoint_id],
      );
    } else if (d.message_id !== null) {
      await c.query('UPDATE messages SET status_callback = NULL WHERE id = $1', [d.message_id]);
      await c.query(
        `UPDATE webhook_deliveries SET status = 'disabled', next_attempt_at = NULL, leased_by = NULL, last_error = $1,
           updated_at = $2 WHERE message_id = $3 AND url = $4 AND kind = 'status_callback' AND status = 'pending'`,
        [reason, now, d.message_id, d.url],
      );
    }
  }

  /**
   * Leases are rows here (shared by every process), so `now` needs no in-memory bookkeeping.
   * ORDER BY ... LIMIT 1, not min(): the due index is walked in order and the walk stops at the
   * first delivery no earlier one holds back, where min() over the NOT EXISTS anti-join reads
   * every pending row (~20 ms per call with a few thousand pending, on every dispatcher round).
   */
  async nextDueAt(): Promise<number | null> {
    const r = await this.pool.query<{ t: number }>({
      name: 'tapback-webhooks-next-due',
      text: `SELECT next_attempt_at AS t FROM webhook_deliveries d WHERE status = 'pending'
         AND ${NOT_HELD_BACK} ORDER BY next_attempt_at, id LIMIT 1`,
    });
    return r.rows[0]?.t ?? null;
  }

  async list(accountId: number, q: DeliveryQuery): Promise<{ deliveries: WebhookDeliveryLog[]; total: number }> {
    const filters: [string, unknown][] = [['d.account_id = $', accountId]];
    if (q.messageHandle !== undefined) filters.push(['d.message_handle = $', q.messageHandle]);
    if (q.status !== undefined) filters.push(['d.status = $', q.status]);
    if (q.url !== undefined) filters.push(['d.url = $', q.url]);
    const w = filters.map(([sql], i) => `${sql}${i + 1}`).join(' AND ');
    const params = filters.map(([, value]) => value);
    const n = params.length;
    const rows = (
      await this.pool.query<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE ${w} ORDER BY d.id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...params, q.limit, q.offset],
      )
    ).rows;
    const total =
      (await this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM webhook_deliveries d WHERE ${w}`, params))
        .rows[0]?.n ?? 0;
    const attempts = (
      await this.pool.query<AttemptRow>(
        `SELECT delivery_id, attempt, started_at, duration_ms, http_status, error FROM webhook_attempts
          WHERE delivery_id = ANY($1::bigint[]) ORDER BY delivery_id, attempt`,
        [rows.map((r) => r.id)],
      )
    ).rows;
    const byDelivery = attemptsByDelivery(attempts);
    return {
      deliveries: rows.map((r) => ({ ...deliveryFromRow(r), attemptLog: byDelivery.get(r.id) ?? [] })),
      total,
    };
  }

  async replay(accountId: number, id: number, now: number): Promise<WebhookDelivery | undefined> {
    const r = await this.pool.query<DeliveryRow>(
      `WITH copy AS (
         INSERT INTO webhook_deliveries (webhook_id, account_id, kind, endpoint_id, url, destination, message_id,
           message_handle, status_seq, payload, status, next_attempt_at, replay_of, created_at, updated_at)
         SELECT webhook_id, account_id, kind, endpoint_id, url, destination, message_id, message_handle, status_seq,
           payload, 'pending', $1, id, $1, $1 FROM webhook_deliveries WHERE id = $2 AND account_id = $3
         RETURNING *)
       SELECT ${DELIVERY_COLUMNS} FROM copy d`,
      [now, id, accountId],
    );
    const row = r.rows[0];
    return row && deliveryFromRow(row);
  }
}
