import type Database from 'better-sqlite3';
import type { Message } from '../../domain/message.js';
import type { SecretCipher } from '../../lib/secret-cipher.js';
import { destinationOf, newWebhookId } from '../../domain/webhook.js';
import type { ClaimedDelivery, NewWebhookDelivery, WebhookAttemptResult } from '../../domain/webhook-delivery.js';
import type { WebhookClaimInput, WebhooksPort } from '../ports/webhooks-port.js';
import { openSigningSecret, webhookEndpoints, webhookSettingsRow } from '../queries/webhook-config-queries.js';
import { disableAfterGone } from '../queries/webhook-outbox-queries.js';
import { DELIVERY_COLUMNS, type DeliveryRow, deliveryFromRow } from '../webhook-delivery-row.js';
import { attemptHeadersJson } from '../webhook-attempt-log.js';
import {
  type ClaimCandidate,
  deliveryStatusAfter,
  fairClaim,
  receiveDeliveries,
  statusChangeDeliveries,
} from '../webhook-outbox.js';
import type { GroupCommit } from './group-commit.js';
import type { SqlitePlanRunner } from './sqlite-plan-runner.js';
import type { Stmt } from './prepared.js';

/** What recording an attempt needs of its delivery; `attempts` includes the attempt recorded. */
type Recorded = Pick<DeliveryRow, 'id' | 'attempts' | 'endpoint_id' | 'message_id' | 'url'>;

const INSERT_SQL = `INSERT INTO webhook_deliveries (webhook_id, account_id, kind, endpoint_id, url, destination, message_id,
    message_handle, status_seq, payload, status, next_attempt_at, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`;

const CANDIDATES_SQL = `SELECT id, account_id AS accountId, destination FROM webhook_deliveries d
  WHERE status = 'pending' AND next_attempt_at <= ?
    AND destination NOT IN (SELECT value FROM json_each(?))
    AND account_id NOT IN (SELECT value FROM json_each(?))
    AND id NOT IN (SELECT value FROM json_each(?))
    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.message_id = d.message_id
                      AND e.url = d.url AND e.status = 'pending' AND e.id < d.id)
  ORDER BY next_attempt_at, id LIMIT ?`;

/**
 * The webhook outbox on SQLite. Status changes call `enqueueStatusChange` inside their own
 * transactions, which is what makes the outbox exactly as durable as the status it reports. Which
 * deliveries an event causes and which a claim takes is decided in webhook-outbox.ts, as on
 * PostgreSQL.
 */
export class SqliteWebhookOutbox implements Pick<
  WebhooksPort,
  'enqueueWebhooks' | 'claimWebhookDeliveries' | 'recordWebhookAttempt' | 'nextWebhookDeliveryAt'
> {
  /**
   * Leases live in memory: a SQLite file has one server process (`multiProcess: false`), and a
   * lease only has to outlive a crash of the process holding it, which it never needs to, since
   * the crash forgets the lease along with the attempt and the delivery is simply due again.
   * That keeps a claim a read (no commit, no fsync); the attempt's record is the one write.
   */
  private readonly leases = new Map<number, number>();

  constructor(
    private readonly db: Database.Database,
    private readonly stmt: Stmt,
    /** The store's group commit: attempts are recorded in the same transaction as other writes. */
    private readonly commits: GroupCommit,
    /** Webhook entries and secrets (queries/webhook-config-queries.ts), read inside the caller's transaction. */
    private readonly plans: SqlitePlanRunner,
    /** Opens the sealed signing secrets the claim reads. */
    private readonly cipher: SecretCipher,
  ) {}

  /** Inside a transaction: queues what a committed status change of `message` must deliver. */
  enqueueStatusChange(message: Message, now: number): void {
    const endpoints = this.plans.run(webhookEndpoints, message.accountId, 'outbound');
    this.insertDeliveries(statusChangeDeliveries(message, endpoints), now);
  }

  /** Inside a transaction: queues the `receive` deliveries of a just-stored inbound message. */
  enqueueReceived(message: Message, now: number): void {
    const endpoints = this.plans.run(webhookEndpoints, message.accountId, 'receive');
    this.insertDeliveries(receiveDeliveries(message, endpoints), now);
  }

  async enqueueWebhooks(deliveries: NewWebhookDelivery[], now: number): Promise<void> {
    this.db.transaction(() => this.insertDeliveries(deliveries, now)).immediate();
  }

  /** Inside a transaction. */
  private insertDeliveries(deliveries: readonly NewWebhookDelivery[], now: number): void {
    if (deliveries.length === 0) return;
    const insert = this.stmt(INSERT_SQL);
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

  private activeLeases(now: number): number[] {
    for (const [id, until] of this.leases) if (until <= now) this.leases.delete(id);
    return [...this.leases.keys()];
  }

  async claimWebhookDeliveries(input: WebhookClaimInput): Promise<ClaimedDelivery[]> {
    // No transaction: the statements run back to back on the one connection, and nothing else
    // writes this file, so there is nothing to isolate from (and no BEGIN/COMMIT to pay for).
    const candidates = this.stmt(CANDIDATES_SQL);
    const leased = this.activeLeases(input.now);
    const rounds = fairClaim(input);
    let round = rounds.next();
    while (round.done !== true) {
      const { excluded, excludedAccounts, chosen, want } = round.value;
      // Ids chosen in earlier rounds are excluded like leased ones, or a round could pick them twice.
      const taken = JSON.stringify([...leased, ...chosen]);
      round = rounds.next(
        candidates.all(
          input.now,
          JSON.stringify(excluded),
          JSON.stringify(excludedAccounts),
          taken,
          want,
        ) as ClaimCandidate[],
      );
    }
    const chosen = round.value;
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
      const s =
        r.signing_secret === null
          ? this.plans.run(webhookSettingsRow, this.cipher, r.account_id, input.now)
          : { signing_secret: openSigningSecret(this.cipher, r.signing_secret), global_secret: r.global_secret };
      return {
        delivery: deliveryFromRow(r),
        payload: r.payload,
        signingSecret: s.signing_secret,
        sharedSecret: r.endpoint_secret ?? s.global_secret,
      };
    });
  }

  recordWebhookAttempt(result: WebhookAttemptResult): Promise<void> {
    return this.commits.run(() => this.recordInTransaction(result));
  }

  /** Inside the group-commit transaction: every attempt finished in one event-loop turn shares it. */
  private recordInTransaction(r: WebhookAttemptResult): void {
    const log = this.stmt(
      `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, http_status, error,
         request_headers, response_excerpt, response_content_type)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    const next = o.kind === 'retry' ? o.at : null;
    let d = finish.get(deliveryStatusAfter(o), next, a.error, a.httpStatus, r.now, r.deliveryId) as
      Recorded | undefined;
    if (d === undefined) {
      // No longer pending (disabled meanwhile): the attempt is still logged, the row left as it is.
      const row = this.stmt(
        'SELECT id, attempts + 1 AS attempts, endpoint_id, message_id, url FROM webhook_deliveries WHERE id = ?',
      ).get(r.deliveryId) as Recorded | undefined;
      if (row === undefined) return;
      d = row;
    }
    log.run(
      d.id,
      d.attempts,
      a.startedAt,
      a.durationMs,
      a.httpStatus,
      a.error,
      attemptHeadersJson(a),
      a.responseExcerpt ?? null,
      a.responseContentType ?? null,
    );
    this.leases.delete(d.id);
    if (o.kind === 'gone') {
      this.plans.run(disableAfterGone, { endpointId: d.endpoint_id, messageId: d.message_id, url: d.url }, r.now);
    }
  }

  /** The earliest unleased due time, or the earliest lease expiry if that comes first. */
  async nextWebhookDeliveryAt(now: number): Promise<number | null> {
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
}
