import type Database from 'better-sqlite3';
import type { Message } from '../../domain/message.js';
import { type DeliveryStatus, type WebhookType, destinationOf, newWebhookId } from '../../domain/webhook.js';
import type {
  ClaimedDelivery,
  NewWebhookDelivery,
  WebhookAttemptResult,
  WebhookConfig,
  WebhookConfigUpdate,
  WebhookDelivery,
  WebhookDeliveryLog,
} from '../../domain/webhook-delivery.js';
import type { DeliveryQuery, WebhookClaimInput } from '../ports/webhooks-port.js';
import { type ClaimCandidate, pickFair, receiveDeliveries, statusChangeDeliveries } from '../webhook-outbox.js';
import type { GroupCommit } from './group-commit.js';
import { SqliteWebhookConfig } from './sqlite-webhook-config.js';
import { type AttemptRow, attemptsByDelivery } from '../webhook-attempt-log.js';
import { DELIVERY_COLUMNS, type DeliveryRow, deliveryFromRow } from '../webhook-delivery-row.js';
import type { Stmt } from './sqlite-statements.js';

/** What recording an attempt needs of its delivery; `attempts` includes the attempt recorded. */
type GoneTarget = Pick<DeliveryRow, 'id' | 'attempts' | 'endpoint_id' | 'message_id' | 'url'>;

/** Rounds of "query, take fairly, exclude full destinations" per claim; each round fills a slot or ends. */
const MAX_CLAIM_ROUNDS = 8;

/**
 * The webhook tables of the SQLite backend. `SqliteStore` delegates to this and calls
 * `enqueueStatusChange` inside its own status-change transactions, which is what makes the
 * outbox exactly as durable as the status it reports.
 */
export class SqliteWebhooks {
  private readonly config: SqliteWebhookConfig;

  constructor(
    private readonly db: Database.Database,
    private readonly stmt: Stmt,
    /** The store's group commit: attempts are recorded in the same transaction as other writes. */
    private readonly commits: GroupCommit,
  ) {
    this.config = new SqliteWebhookConfig(db, stmt);
  }

  getConfig(accountId: number, now: number): WebhookConfig {
    return this.config.get(accountId, now);
  }

  updateConfig(accountId: number, update: WebhookConfigUpdate, now: number): WebhookConfig {
    return this.config.update(accountId, update, now);
  }

  removeEndpoints(accountId: number, input: { urls: string[]; type?: WebhookType; now: number }): number {
    return this.config.removeEndpoints(accountId, input);
  }

  /** Inside a transaction: queues what a committed status change of `message` must deliver. */
  enqueueStatusChange(message: Message, now: number): void {
    const deliveries = statusChangeDeliveries(message, this.config.endpoints(message.accountId, 'outbound'));
    this.insertDeliveries(deliveries, now);
  }

  /** Inside a transaction: queues the `receive` deliveries of a just-stored inbound message. */
  enqueueReceived(message: Message, now: number): void {
    this.insertDeliveries(receiveDeliveries(message, this.config.endpoints(message.accountId, 'receive')), now);
  }

  /** Inside a transaction. */
  insertDeliveries(deliveries: readonly NewWebhookDelivery[], now: number): void {
    if (deliveries.length === 0) return;
    const insert = this.stmt(
      `INSERT INTO webhook_deliveries (webhook_id, account_id, kind, endpoint_id, url, destination, message_id,
         message_handle, status_seq, payload, status, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    );
    for (const d of deliveries) {
      insert.run(
        newWebhookId(),
        d.accountId,
        d.kind,
        d.endpointId,
        d.url,
        destinationOf(d.accountId, d.url),
        d.messageId,
        d.messageHandle,
        d.statusSeq,
        d.payload,
        now,
        now,
        now,
      );
    }
  }

  enqueue(deliveries: NewWebhookDelivery[], now: number): void {
    this.db.transaction(() => this.insertDeliveries(deliveries, now)).immediate();
  }

  /**
   * Leases live in memory: a SQLite file has one server process (`multiProcess: false`), and a
   * lease only has to outlive a crash of the process holding it, which it never needs to, since
   * the crash forgets the lease along with the attempt and the delivery is simply due again.
   * That keeps a claim a read (no commit, no fsync); the attempt's record is the one write.
   */
  private readonly leases = new Map<number, number>();

  private activeLeases(now: number): number[] {
    for (const [id, until] of this.leases) if (until <= now) this.leases.delete(id);
    return [...this.leases.keys()];
  }

  claim(input: WebhookClaimInput): ClaimedDelivery[] {
    const candidates = this.stmt(
      `SELECT id, destination FROM webhook_deliveries d
        WHERE status = 'pending' AND next_attempt_at <= ?
          AND destination NOT IN (SELECT value FROM json_each(?))
          AND id NOT IN (SELECT value FROM json_each(?))
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.message_id = d.message_id
                            AND e.url = d.url AND e.status = 'pending' AND e.id < d.id)
        ORDER BY next_attempt_at, id LIMIT ?`,
    );
    // No transaction: the statements run back to back on the one connection, and nothing else
    // writes this file, so there is nothing to isolate from (and no BEGIN/COMMIT to pay for).
    const leased = this.activeLeases(input.now);
    const load = new Map(input.inFlight);
    const excluded = [...load].filter(([, n]) => n >= input.perDestination).map(([d]) => d);
    const chosen: number[] = [];
    for (let round = 0; round < MAX_CLAIM_ROUNDS && chosen.length < input.limit; round++) {
      const want = (input.limit - chosen.length) * 2;
      // Ids chosen in earlier rounds are excluded like leased ones, or a round could pick them twice.
      const taken = JSON.stringify([...leased, ...chosen]);
      const rows = candidates.all(input.now, JSON.stringify(excluded), taken, want) as ClaimCandidate[];
      const picked = pickFair(rows, input.limit - chosen.length, input.perDestination, load);
      chosen.push(...picked.ids);
      const newlyFull = picked.full.filter((d) => !excluded.includes(d));
      if (rows.length < want || newlyFull.length === 0) break;
      excluded.push(...newlyFull);
    }
    if (chosen.length === 0) return [];
    for (const id of chosen) this.leases.set(id, input.leaseUntil);
    const rows = this.stmt(
      `SELECT ${DELIVERY_COLUMNS}, e.secret AS endpoint_secret, s.signing_secret, s.global_secret
         FROM webhook_deliveries d
         LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id
         LEFT JOIN webhook_settings s ON s.account_id = d.account_id
        WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.next_attempt_at, d.id`,
    ).all(JSON.stringify(chosen)) as (DeliveryRow & {
      endpoint_secret: string | null;
      signing_secret: string | null;
      global_secret: string | null;
    })[];
    return rows.map((r) => {
      // An account's first delivery creates its signing secret (a write, once per account).
      const s = r.signing_secret === null ? this.config.settings(r.account_id, input.now) : r;
      return {
        delivery: deliveryFromRow(r),
        payload: r.payload,
        signingSecret: s.signing_secret as string,
        sharedSecret: r.endpoint_secret ?? s.global_secret,
      };
    });
  }

  record(result: WebhookAttemptResult): Promise<void> {
    return this.commits.run(() => this.recordInTransaction(result));
  }

  /** Inside the group-commit transaction: every attempt finished in one event-loop turn shares it. */
  private recordInTransaction(r: WebhookAttemptResult): void {
    const log = this.stmt(
      `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, http_status, error)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    // Guarded by status = 'pending': a delivery disabled meanwhile (410, entry removed) stays so.
    // RETURNING: the row's number of attempts (this one included) without reading the row first.
    const finish = this.stmt(
      `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?,
         last_error = ?, last_http_status = ?, updated_at = ? WHERE id = ? AND status = 'pending'
       RETURNING id, attempts, endpoint_id, message_id, url`,
    );
    const a = r.attempt;
    const o = r.outcome;
    const status: DeliveryStatus =
      o.kind === 'succeeded' ? 'succeeded' : o.kind === 'retry' ? 'pending' : o.kind === 'gone' ? 'disabled' : 'failed';
    let d = finish.get(status, o.kind === 'retry' ? o.at : null, a.error, a.httpStatus, r.now, r.deliveryId) as
      GoneTarget | undefined;
    if (d === undefined) {
      // No longer pending (disabled meanwhile): the attempt is still logged, the row left as it is.
      const row = this.stmt(
        'SELECT id, attempts + 1 AS attempts, endpoint_id, message_id, url FROM webhook_deliveries WHERE id = ?',
      ).get(r.deliveryId) as GoneTarget | undefined;
      if (row === undefined) return;
      d = row;
    }
    log.run(d.id, d.attempts, a.startedAt, a.durationMs, a.httpStatus, a.error);
    this.leases.delete(d.id);
    if (o.kind === 'gone') this.disableAfterGone(d, r.now);
  }

  /** 410 Gone: the entry (or the message's status callback) is switched off with its pending events. */
  private disableAfterGone(d: GoneTarget, now: number): void {
    const reason = 'endpoint answered 410 Gone';
    if (d.endpoint_id !== null) {
      this.stmt('UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ? WHERE id = ?').run(
        now,
        reason,
        d.endpoint_id,
      );
      this.stmt(
        `UPDATE webhook_deliveries SET status = 'disabled', next_attempt_at = NULL, last_error = ?,
           updated_at = ? WHERE endpoint_id = ? AND status = 'pending'`,
      ).run(reason, now, d.endpoint_id);
    } else if (d.message_id !== null) {
      this.stmt('UPDATE messages SET status_callback = NULL WHERE id = ?').run(d.message_id);
      this.stmt(
        `UPDATE webhook_deliveries SET status = 'disabled', next_attempt_at = NULL, last_error = ?,
           updated_at = ? WHERE message_id = ? AND url = ? AND kind = 'status_callback' AND status = 'pending'`,
      ).run(reason, now, d.message_id, d.url);
    }
  }

  /** The earliest unleased due time, or the earliest lease expiry if that comes first. */
  nextDueAt(now: number): number | null {
    const r = this.stmt(
      `SELECT next_attempt_at AS t FROM webhook_deliveries d WHERE status = 'pending'
         AND id NOT IN (SELECT value FROM json_each(?))
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.message_id = d.message_id
                           AND e.url = d.url AND e.status = 'pending' AND e.id < d.id)
       ORDER BY next_attempt_at LIMIT 1`,
    ).get(JSON.stringify(this.activeLeases(now))) as { t: number } | undefined;
    const times = [...this.leases.values()];
    if (r !== undefined) times.push(r.t);
    return times.length === 0 ? null : Math.min(...times);
  }

  list(accountId: number, q: DeliveryQuery): { deliveries: WebhookDeliveryLog[]; total: number } {
    const filters: [string, unknown][] = [['d.account_id = ?', accountId]];
    if (q.messageHandle !== undefined) filters.push(['d.message_handle = ?', q.messageHandle]);
    if (q.status !== undefined) filters.push(['d.status = ?', q.status]);
    if (q.url !== undefined) filters.push(['d.url = ?', q.url]);
    const w = filters.map(([sql]) => sql).join(' AND ');
    const params = filters.map(([, value]) => value);
    const rows = this.stmt(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE ${w} ORDER BY d.id DESC LIMIT ? OFFSET ?`,
    ).all(...params, q.limit, q.offset) as DeliveryRow[];
    const total = (
      this.stmt(`SELECT count(*) AS n FROM webhook_deliveries d WHERE ${w}`).get(...params) as { n: number }
    ).n;
    const attempts = this.stmt(
      `SELECT delivery_id, attempt, started_at, duration_ms, http_status, error FROM webhook_attempts
        WHERE delivery_id IN (SELECT value FROM json_each(?)) ORDER BY delivery_id, attempt`,
    ).all(JSON.stringify(rows.map((r) => r.id))) as AttemptRow[];
    const byDelivery = attemptsByDelivery(attempts);
    return {
      deliveries: rows.map((r) => ({ ...deliveryFromRow(r), attemptLog: byDelivery.get(r.id) ?? [] })),
      total,
    };
  }

  replay(accountId: number, id: number, now: number): WebhookDelivery | undefined {
    return this.db
      .transaction((): WebhookDelivery | undefined => {
        const r = this.stmt(
          `INSERT INTO webhook_deliveries (webhook_id, account_id, kind, endpoint_id, url, destination, message_id,
             message_handle, status_seq, payload, status, next_attempt_at, replay_of, created_at, updated_at)
           SELECT webhook_id, account_id, kind, endpoint_id, url, destination, message_id, message_handle, status_seq,
             payload, 'pending', ?, id, ?, ? FROM webhook_deliveries WHERE id = ? AND account_id = ?`,
        ).run(now, now, now, id, accountId);
        if (r.changes === 0) return undefined;
        const row = this.stmt(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.id = ?`).get(
          Number(r.lastInsertRowid),
        ) as DeliveryRow;
        return deliveryFromRow(row);
      })
      .immediate();
  }
}
