import type pg from 'pg';
import type { Message } from '../../domain/message.js';
import type { WebhookType } from '../../domain/webhook.js';
import { Batcher, type Settled } from '../batcher.js';
import { buildMessageList } from '../message-filter.js';
import { applyPatch, decodeScheduledStatus, encodeScheduledStatus } from '../status-patch.js';
import type { AcceptInput, AcceptResult } from '../ports/messages-port.js';
import type { Account, ApiKey, Line } from '../../domain/account.js';
import type {
  ClaimedDelivery,
  NewWebhookDelivery,
  WebhookAttemptResult,
  WebhookConfig,
  WebhookConfigUpdate,
  WebhookDelivery,
  WebhookDeliveryLog,
} from '../../domain/webhook-delivery.js';
import type { ClaimedJob, Job, JobKind, JobOutcome, StatusChange } from '../../domain/job.js';
import type { DeliveryQuery, WebhookClaimInput } from '../ports/webhooks-port.js';
import type { MessageQuery } from '../../domain/message-query.js';
import type { Store, StoreCapabilities } from '../store.js';
import { type AccountRow, type KeyRow, type LineRow, accountFromRow, keyFromRow, lineFromRow } from './account-rows.js';
import { MESSAGE_SELECT, type MessageRow, rowToMessage } from './message-row.js';
import { acceptBatch } from './postgres-accept.js';
import { JobListener } from './job-listener.js';
import { migratePostgres } from './postgres-migrate.js';
import { type Db, createPool, inTransaction } from './postgres-pool.js';
import { matchesNothing } from './postgres-text.js';
import { PostgresWebhooks } from './postgres-webhooks.js';
import type { Group } from '../../domain/group.js';
import type { AccountSettings, Contact } from '../../domain/contact.js';
import type { InboundInput, InboundResult } from '../ports/messages-port.js';
import { postgresAccountSettings } from './postgres-account-settings.js';
import { postgresContacts } from './postgres-contacts.js';
import { PostgresGroups } from './postgres-groups.js';
import { acceptInboundPostgres } from './postgres-inbound.js';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

interface ClaimRow extends MessageRow {
  job_id: number;
  job_kind: string;
  job_run_at: number;
  job_attempts: number;
  job_last_error: string | null;
  job_payload: string | null;
  line_provider: string | null;
}

/**
 * Leases due jobs for one worker and returns them with their messages, in one statement (one
 * round trip, autocommitted). FOR UPDATE SKIP LOCKED lets any number of workers in any number of
 * processes claim at once without waiting on, or ever sharing, each other's rows; the lease is
 * the pushed-back run_at, so a dead worker's jobs are due again when it expires.
 */
const CLAIM_SQL = `WITH due AS (
    SELECT id, run_at FROM jobs WHERE run_at <= $1 ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED),
  leased AS (
    UPDATE jobs j SET run_at = $3, attempts = j.attempts + 1, leased_by = $4 FROM due WHERE j.id = due.id
    RETURNING j.id, j.kind, j.message_id, j.run_at, j.attempts, j.last_error, j.payload, due.run_at AS due_at)
  SELECT c.id AS job_id, c.kind AS job_kind, c.run_at AS job_run_at, c.attempts AS job_attempts,
         c.last_error AS job_last_error, c.payload AS job_payload,
         m.*, a.email AS account_email, a.plan AS plan, l.provider AS line_provider
    FROM leased c JOIN messages m ON m.id = c.message_id JOIN accounts a ON a.id = m.account_id
    LEFT JOIN lines l ON l.number = m.sendblue_number
   ORDER BY c.due_at, c.id`;

export interface PostgresStoreOptions {
  /** Connections in the pool; group commit needs few. */
  poolSize?: number;
}

/**
 * The scale-out backend: any number of API and worker processes share one PostgreSQL database.
 * Sends are group-committed (postgres-accept.ts), jobs are claimed with FOR UPDATE SKIP LOCKED
 * and leases, and idle workers are woken through LISTEN/NOTIFY (job-listener.ts).
 */
export class PostgresStore implements Store {
  readonly capabilities: StoreCapabilities = { dialect: 'postgres', multiProcess: true };
  private readonly pool: pg.Pool;
  private readonly webhooks: PostgresWebhooks;
  private readonly acceptBatcher: Batcher<AcceptInput, AcceptResult>;
  private readonly listener: JobListener;
  private readonly groups: PostgresGroups;
  /**
   * Every request looks up its API key and most look up a line: batched, the lookups of one
   * event-loop turn cost one round trip (each round trip costs the process far more than the
   * query costs the server). Still read per request, never cached: a revoked key stops at once.
   */
  private readonly keyLookups: Batcher<string, KeyRow | undefined>;
  private readonly lineLookups: Batcher<string, LineRow | undefined>;

  constructor(url: string, options: PostgresStoreOptions = {}) {
    this.pool = createPool(url, options.poolSize ?? 10);
    this.webhooks = new PostgresWebhooks(this.pool);
    this.acceptBatcher = new Batcher((items) => acceptBatch(this.pool, this.webhooks, items));
    this.listener = new JobListener(url);
    this.groups = new PostgresGroups(this.pool);
    this.keyLookups = new Batcher((ids) =>
      lookupMany<KeyRow>(
        this.pool,
        `${PostgresStore.KEY_SELECT} WHERE k.key_id = ANY($1::text[])`,
        ids,
        (r) => r.key_id,
      ),
    );
    this.lineLookups = new Batcher((numbers) =>
      lookupMany<LineRow>(
        this.pool,
        `${PostgresStore.LINE_SELECT} WHERE l.number = ANY($1::text[])`,
        numbers,
        (r) => r.number,
      ),
    );
  }

  async migrate(): Promise<void> {
    await migratePostgres(this.pool, MIGRATIONS);
  }

  async migrationLevel(): Promise<string> {
    const r = await this.pool.query<{ name: string }>(
      'SELECT name FROM schema_migrations ORDER BY version DESC LIMIT 1',
    );
    return r.rows[0]?.name.replace(/\.sql$/, '') ?? '';
  }

  async close(): Promise<void> {
    await this.listener.close();
    await this.pool.end();
  }

  /** Calls `listener` whenever any process commits new jobs; returns the unsubscribe function. */
  onJobsAvailable(listener: () => void): () => void {
    return this.listener.subscribe(listener);
  }

  // --- accounts, keys, lines -------------------------------------------------------------------

  async createAccount(input: { email: string; plan?: string; now: number }): Promise<Account> {
    const now = input.now;
    const plan = input.plan ?? 'dedicated';
    const r = await this.pool.query<{ id: number }>(
      'INSERT INTO accounts (email, plan, created_at) VALUES ($1, $2, $3) RETURNING id',
      [input.email, plan, now],
    );
    return { id: first(r.rows).id, email: input.email, plan, createdAt: now };
  }

  async findAccountByEmail(email: string): Promise<Account | undefined> {
    if (matchesNothing(email)) return undefined;
    const r = await this.pool.query<AccountRow>(
      `SELECT id, email, plan, created_at FROM accounts WHERE lower(email COLLATE "C") = lower($1 COLLATE "C")`,
      [email],
    );
    return r.rows[0] && accountFromRow(r.rows[0]);
  }

  async listAccounts(): Promise<Account[]> {
    const r = await this.pool.query<AccountRow>('SELECT id, email, plan, created_at FROM accounts ORDER BY id');
    return r.rows.map(accountFromRow);
  }

  async createApiKey(input: {
    accountId: number;
    keyId: string;
    secretDigest: string;
    label?: string;
    now: number;
  }): Promise<ApiKey> {
    await this.pool.query(
      'INSERT INTO api_keys (key_id, account_id, secret_digest, label, created_at) VALUES ($1, $2, $3, $4, $5)',
      [input.keyId, input.accountId, input.secretDigest, input.label ?? null, input.now],
    );
    const key = await this.findApiKey(input.keyId);
    if (key === undefined) throw new Error('api key vanished after insert');
    const { secretDigest: _omit, ...rest } = key;
    return rest;
  }

  private static readonly KEY_SELECT = `SELECT k.key_id, k.account_id, a.email AS account_email, a.plan AS account_plan,
    k.label, k.created_at, k.revoked_at, k.secret_digest FROM api_keys k JOIN accounts a ON a.id = k.account_id`;

  async listApiKeys(accountId?: number): Promise<ApiKey[]> {
    const r =
      accountId === undefined
        ? await this.pool.query<KeyRow>(`${PostgresStore.KEY_SELECT} ORDER BY k.created_at, k.key_id`)
        : await this.pool.query<KeyRow>(
            `${PostgresStore.KEY_SELECT} WHERE k.account_id = $1 ORDER BY k.created_at, k.key_id`,
            [accountId],
          );
    return r.rows.map((row) => {
      const { secretDigest: _omit, ...rest } = keyFromRow(row);
      return rest;
    });
  }

  async revokeApiKey(keyId: string, now: number): Promise<boolean> {
    if (matchesNothing(keyId)) return false;
    const r = await this.pool.query('UPDATE api_keys SET revoked_at = $1 WHERE key_id = $2 AND revoked_at IS NULL', [
      now,
      keyId,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async findApiKey(keyId: string): Promise<(ApiKey & { secretDigest: string }) | undefined> {
    if (matchesNothing(keyId)) return undefined;
    const row = await this.keyLookups.submit(keyId);
    return row && keyFromRow(row);
  }

  private static readonly LINE_SELECT = `SELECT l.id, l.account_id, a.email AS account_email, l.number, l.provider,
    l.created_at FROM lines l JOIN accounts a ON a.id = l.account_id`;

  async addLine(input: { accountId: number; number: string; provider: string; now: number }): Promise<Line> {
    await this.pool.query('INSERT INTO lines (account_id, number, provider, created_at) VALUES ($1, $2, $3, $4)', [
      input.accountId,
      input.number,
      input.provider,
      input.now,
    ]);
    const line = await this.findLine(input.number);
    if (line === undefined) throw new Error('line vanished after insert');
    return line;
  }

  async findLine(number: string): Promise<Line | undefined> {
    if (matchesNothing(number)) return undefined;
    const row = await this.lineLookups.submit(number);
    return row && lineFromRow(row);
  }

  async listLines(accountId?: number): Promise<Line[]> {
    const r =
      accountId === undefined
        ? await this.pool.query<LineRow>(`${PostgresStore.LINE_SELECT} ORDER BY l.id`)
        : await this.pool.query<LineRow>(`${PostgresStore.LINE_SELECT} WHERE l.account_id = $1 ORDER BY l.id`, [
            accountId,
          ]);
    return r.rows.map(lineFromRow);
  }

  // --- messages --------------------------------------------------------------------------------

  acceptOutbound(input: AcceptInput): Promise<AcceptResult> {
    return this.acceptBatcher.submit(input);
  }

  async getMessage(accountId: number, handle: string): Promise<Message | undefined> {
    if (matchesNothing(handle)) return undefined;
    const r = await this.pool.query<MessageRow>(`${MESSAGE_SELECT} WHERE m.handle = $1 AND m.account_id = $2`, [
      handle,
      accountId,
    ]);
    return r.rows[0] && rowToMessage(r.rows[0]);
  }

  async listMessages(accountId: number, query: MessageQuery): Promise<{ messages: Message[]; total: number }> {
    const { page, count } = buildMessageList(
      accountId,
      query,
      (i) => `$${i}`,
      (b) => b,
      MESSAGE_SELECT,
    );
    if (matchesNothing(...count.params)) return { messages: [], total: 0 };
    const [rows, counted] = await Promise.all([
      this.pool.query<MessageRow>(page.sql, page.params),
      this.pool.query<{ n: number }>(count.sql, count.params),
    ]);
    return { messages: rows.rows.map(rowToMessage), total: Number(counted.rows[0]?.n ?? 0) };
  }

  // --- two-way messaging (postgres-inbound.ts, postgres-contacts.ts, postgres-groups.ts) -------

  acceptInbound(input: InboundInput): Promise<InboundResult> {
    return acceptInboundPostgres(this.pool, this.webhooks, input);
  }

  getContact(accountId: number, number: string): Promise<Contact> {
    return postgresContacts.get(this.pool, accountId, number);
  }

  setContactOptOut(input: { accountId: number; number: string; optedOut: boolean; now: number }): Promise<Contact> {
    return postgresContacts.set(this.pool, input.accountId, input.number, input.optedOut, input.now);
  }

  getAccountSettings(accountId: number): Promise<AccountSettings> {
    return postgresAccountSettings.get(this.pool, accountId);
  }

  updateAccountSettings(
    accountId: number,
    update: { helpReply: string | null; now: number },
  ): Promise<AccountSettings> {
    return postgresAccountSettings.update(this.pool, accountId, update.helpReply, update.now);
  }

  findOrCreateGroup(input: {
    accountId: number;
    line: string;
    members: string[];
    groupId: string;
    now: number;
  }): Promise<Group> {
    return this.groups.findOrCreate(input);
  }

  async getGroup(accountId: number, groupId: string): Promise<Group | undefined> {
    if (matchesNothing(groupId)) return undefined;
    return this.groups.get(accountId, groupId);
  }

  async setGroupMembers(input: {
    accountId: number;
    groupId: string;
    members: string[];
    now: number;
  }): Promise<Group | undefined> {
    if (matchesNothing(input.groupId)) return undefined;
    return this.groups.setMembers(input);
  }

  // --- the job queue ---------------------------------------------------------------------------

  async claimJobs(input: { now: number; limit: number; leaseUntil: number; workerId: string }): Promise<ClaimedJob[]> {
    const r = await this.pool.query<ClaimRow>({
      name: 'tapback-claim-jobs',
      text: CLAIM_SQL,
      values: [input.now, input.limit, input.leaseUntil, input.workerId],
    });
    return r.rows.map((row) => ({
      job: jobFromRow(row),
      message: rowToMessage(row),
      provider: row.line_provider ?? '',
    }));
  }

  /**
   * One transaction for many outcomes. The messages are locked (FOR UPDATE, in id order, so two
   * workers never deadlock) before their patches are chained, so status jobs of one message
   * finished by different processes at once still apply one after the other.
   */
  async finishJobs(outcomes: JobOutcome[], now: number): Promise<StatusChange[]> {
    return inTransaction(this.pool, async (c) => {
      const held = await heldOutcomes(c, outcomes);
      const retries = held.filter((o) => o.kind === 'retry');
      const done = held.filter((o) => o.kind === 'done');
      if (retries.length > 0) {
        await c.query(
          `UPDATE jobs SET run_at = t.run_at, last_error = t.error, leased_by = NULL
             FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS t(id, run_at, error) WHERE jobs.id = t.id`,
          [retries.map((o) => o.jobId), retries.map((o) => o.runAt), retries.map((o) => o.error)],
        );
      }
      if (done.length === 0) return [];
      const patched = [...new Set(done.filter((o) => o.patches.length > 0).map((o) => o.messageId))].sort(
        (a, b) => a - b,
      );
      const current = new Map<number, Message>();
      if (patched.length > 0) {
        const rows = await c.query<MessageRow>(
          `${MESSAGE_SELECT} WHERE m.id = ANY($1::bigint[]) ORDER BY m.id FOR UPDATE OF m`,
          [patched],
        );
        for (const row of rows.rows) current.set(row.id, rowToMessage(row));
      }
      const loaded = new Map(current);
      const changes: StatusChange[] = [];
      for (const o of done) {
        let message = current.get(o.messageId);
        if (message === undefined) continue;
        for (const patch of o.patches) {
          const next = applyPatch(message, patch, now);
          if (next === undefined) continue;
          changes.push({ previous: message.status, message: next });
          message = next;
        }
        current.set(o.messageId, message);
      }
      // Each changed row is written once, with its last state.
      const written = [...current.values()].filter((m) => m !== loaded.get(m.id));
      if (written.length > 0) {
        await c.query(
          `UPDATE messages m SET status = t.status, service = t.service, was_downgraded = t.was_downgraded,
             error_code = t.error_code, error_message = t.error_message, error_reason = t.error_reason,
             error_detail = t.error_detail, updated_at = t.updated_at, status_seq = t.status_seq
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[], $5::integer[], $6::text[], $7::text[],
                       $8::text[], $9::bigint[], $10::integer[])
             AS t(id, status, service, was_downgraded, error_code, error_message, error_reason, error_detail,
                  updated_at, status_seq)
           WHERE m.id = t.id`,
          [
            written.map((m) => m.id),
            written.map((m) => m.status),
            written.map((m) => m.service),
            written.map((m) => m.wasDowngraded),
            written.map((m) => m.errorCode),
            written.map((m) => m.errorMessage),
            written.map((m) => m.errorReason),
            written.map((m) => m.errorDetail),
            written.map((m) => m.updatedAt),
            written.map((m) => m.statusSeq),
          ],
        );
      }
      const deliveries = await this.webhooks.statusChangeDeliveries(
        c,
        changes.map((ch) => ({ message: ch.message, at: now })),
      );
      await this.webhooks.insert(c, deliveries);
      const scheduled = done.flatMap((o) => o.schedule.map((s) => ({ messageId: o.messageId, ...s })));
      if (scheduled.length > 0) {
        await c.query(
          `INSERT INTO jobs (kind, message_id, run_at, payload)
             SELECT 'status', * FROM unnest($1::bigint[], $2::bigint[], $3::text[])`,
          [
            scheduled.map((s) => s.messageId),
            scheduled.map((s) => s.runAt),
            scheduled.map((s) => encodeScheduledStatus(s)),
          ],
        );
      }
      await c.query('DELETE FROM jobs WHERE id = ANY($1::bigint[])', [done.map((o) => o.jobId)]);
      return changes;
    });
  }

  async nextJobAt(): Promise<number | null> {
    const r = await this.pool.query<{ t: number | null }>('SELECT min(run_at) AS t FROM jobs');
    return r.rows[0]?.t ?? null;
  }

  async countJobs(): Promise<number> {
    return first((await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM jobs')).rows).n;
  }

  // --- webhooks (postgres-webhooks.ts) --------------------------------------------------------

  getWebhookConfig(accountId: number, now: number): Promise<WebhookConfig> {
    return this.webhooks.getConfig(accountId, now);
  }

  updateWebhookConfig(accountId: number, update: WebhookConfigUpdate, now: number): Promise<WebhookConfig> {
    return this.webhooks.updateConfig(accountId, update, now);
  }

  removeWebhookEndpoints(
    accountId: number,
    input: { urls: string[]; type?: WebhookType; now: number },
  ): Promise<number> {
    return this.webhooks.removeEndpoints(accountId, input);
  }

  enqueueWebhooks(deliveries: NewWebhookDelivery[], now: number): Promise<void> {
    return this.webhooks.enqueue(deliveries, now);
  }

  claimWebhookDeliveries(input: WebhookClaimInput): Promise<ClaimedDelivery[]> {
    return this.webhooks.claim(input);
  }

  recordWebhookAttempt(result: WebhookAttemptResult): Promise<void> {
    return this.webhooks.record(result);
  }

  nextWebhookDeliveryAt(_now: number): Promise<number | null> {
    return this.webhooks.nextDueAt();
  }

  listWebhookDeliveries(
    accountId: number,
    query: DeliveryQuery,
  ): Promise<{ deliveries: WebhookDeliveryLog[]; total: number }> {
    return this.webhooks.list(accountId, query);
  }

  replayWebhookDelivery(accountId: number, id: number, now: number): Promise<WebhookDelivery | undefined> {
    return this.webhooks.replay(accountId, id, now);
  }
}

/**
 * The outcomes whose claim still holds its job (see `JobOutcome.attempt`). The jobs are locked
 * first, in id order, so a concurrent claim skips them and a concurrent finish of the same job
 * waits, then finds it gone.
 */
async function heldOutcomes(db: Db, outcomes: JobOutcome[]): Promise<JobOutcome[]> {
  const checked = outcomes.filter((o) => o.attempt !== undefined);
  if (checked.length === 0) return outcomes;
  const r = await db.query<{ id: number; attempts: number }>(
    'SELECT id, attempts FROM jobs WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE',
    [[...new Set(checked.map((o) => o.jobId))]],
  );
  const attempts = new Map(r.rows.map((row) => [row.id, row.attempts]));
  return outcomes.filter((o) => o.attempt === undefined || attempts.get(o.jobId) === o.attempt);
}

/** One query for the rows of many keys (a unique column); each key gets its row or undefined. */
async function lookupMany<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  sql: string,
  keys: string[],
  keyOf: (row: R) => string,
): Promise<Settled<R | undefined>[]> {
  const r = await pool.query<R>(sql, [[...new Set(keys)]]);
  const byKey = new Map(r.rows.map((row) => [keyOf(row), row]));
  return keys.map((k) => ({ ok: true, value: byKey.get(k) }));
}

function first<T>(rows: T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('query returned no row');
  return row;
}

function jobFromRow(r: ClaimRow): Job {
  return {
    id: r.job_id,
    kind: r.job_kind as JobKind,
    messageId: r.id,
    runAt: r.job_run_at,
    attempts: r.job_attempts,
    lastError: r.job_last_error,
    ...decodeScheduledStatus(r.job_payload),
  };
}
