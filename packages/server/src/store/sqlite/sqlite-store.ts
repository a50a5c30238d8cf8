import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Message } from '../../domain/message.js';
import { applyPatch, decodeScheduledStatus, encodeScheduledStatus } from '../status-patch.js';
import { buildMessageList, type NumberSides, numberSidesOf } from '../message-filter.js';
import type { AcceptInput, AcceptResult, InboundInput, InboundResult } from '../ports/messages-port.js';
import type { Account, ApiKey, Line } from '../../domain/account.js';
import type { ClaimedJob, Job, JobKind, JobOutcome, StatusChange } from '../../domain/job.js';
import type { MessageQuery } from '../../domain/message-query.js';
import type { Store, StoreCapabilities } from '../store.js';
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
import type { AccountSettings, Contact } from '../../domain/contact.js';
import type { WebhookType } from '../../domain/webhook.js';
import { SqliteWebhooks } from './sqlite-webhooks.js';
import { SqliteAccountSettings } from './sqlite-account-settings.js';
import { SqliteContacts } from './sqlite-contacts.js';
import { SqliteGroups } from './sqlite-groups.js';
import { SqliteInbound } from './sqlite-inbound.js';
import type { Group } from '../../domain/group.js';
import { Checkpointer } from './checkpointer.js';
import { GroupCommit } from './group-commit.js';
import { LookupCache } from './lookup-cache.js';
import { MessageCountDeltas, UPSERT_COUNT_SQL } from './message-count-deltas.js';
import { type Prepared, prepare } from './prepared.js';
import { migrateSqlite } from './migrate.js';
import { MESSAGE_COLUMNS, MESSAGE_SELECT, type MessageRow, messageParams, rowToMessage } from './message-row.js';

const MIGRATIONS = new URL('./migrations/', import.meta.url);
/** Built once: the statement cache is keyed by SQL text, and rebuilding it per send showed in profiles. */
const INSERT_MESSAGE_SQL = `INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')}) VALUES (${MESSAGE_COLUMNS.map((c) => '@' + c).join(', ')})`;

/** A due job with its message (columns null if the message is gone) and its line's provider. */
type DueRow = { [K in keyof MessageRow]: MessageRow[K] | null } & {
  job_id: number;
  job_kind: string;
  job_message_id: number;
  job_attempts: number;
  job_last_error: string | null;
  job_payload: string | null;
  line_provider: string | null;
};

interface JobRow {
  id: number;
  kind: string;
  message_id: number;
  run_at: number;
  attempts: number;
  last_error: string | null;
  payload: string | null;
}

/**
 * The embedded backend: one SQLite file in WAL mode with `synchronous=FULL`, so a commit is on
 * disk before the API answers. The writes of one event-loop turn (sends, claims, outcomes, webhook
 * attempts) share one transaction (group-commit.ts), which is what makes full durability cheap.
 */
export class SqliteStore implements Store {
  readonly capabilities: StoreCapabilities = { dialect: 'sqlite', multiProcess: false };
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Prepared>();
  private readonly commits: GroupCommit;
  /** Per-account QUEUED counts, valid inside one group-commit transaction. */
  private readonly queuedInTransaction = new Map<number, number>();
  /** message_counts changes of the open transaction, written at its end (message-count-deltas.ts). */
  private readonly counts = new MessageCountDeltas();
  private readonly webhooks: SqliteWebhooks;
  private readonly contacts: SqliteContacts;
  private readonly settings: SqliteAccountSettings;
  private readonly groups: SqliteGroups;
  private readonly inbound: SqliteInbound;
  private readonly keyCache: LookupCache<ApiKey & { secretDigest: string }>;
  private readonly lineCache: LookupCache<Line>;

  /** `path` is a file path, or `:memory:` for throwaway stores. */
  private checkpointer: Checkpointer | undefined;

  constructor(private readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.commits = new GroupCommit(
      this.db,
      () => {
        this.queuedInTransaction.clear();
        this.counts.clear();
      },
      () => this.counts.flush(this.stmt(UPSERT_COUNT_SQL)),
    );
    this.keyCache = new LookupCache(this.db.prepare('PRAGMA data_version').pluck());
    this.lineCache = new LookupCache(this.db.prepare('PRAGMA data_version').pluck());
    this.webhooks = new SqliteWebhooks(this.db, (sql) => this.stmt(sql), this.commits);
    this.contacts = new SqliteContacts((sql) => this.stmt(sql));
    this.settings = new SqliteAccountSettings((sql) => this.stmt(sql));
    this.groups = new SqliteGroups(this.db, (sql) => this.stmt(sql));
    this.inbound = new SqliteInbound(
      this.db,
      (sql) => this.stmt(sql),
      this.contacts,
      this.webhooks,
      (input) => this.acceptOne(input, new Map()),
      this.counts,
    );
  }

  /** The SQLite settings that durability depends on, for start-up checks and tests. */
  durability(): { journalMode: string; synchronous: number } {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
    };
  }

  async migrate(): Promise<void> {
    migrateSqlite(this.db, MIGRATIONS);
  }

  async migrationLevel(): Promise<string> {
    const r = this.stmt('SELECT name FROM schema_migrations ORDER BY version DESC LIMIT 1').get() as
      { name: string } | undefined;
    return r?.name.replace(/\.sql$/, '') ?? '';
  }

  /**
   * For the server process: WAL checkpoints move to a thread of their own (checkpointer.ts), off
   * the commit path. Short-lived admin commands keep SQLite's automatic checkpoints.
   */
  startBackgroundWork(): void {
    if (this.checkpointer !== undefined || this.path === ':memory:') return;
    this.db.pragma('wal_autocheckpoint = 0');
    this.checkpointer = new Checkpointer(this.path);
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.checkpointer = undefined;
    if (this.db.open) {
      // Leave a clean file behind: the WAL folded into the database, as autocheckpoint would.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }

  private stmt(sql: string): Prepared {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = prepare(this.db, sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  // --- accounts, keys, lines -------------------------------------------------------------------

  async createAccount(input: { email: string; plan?: string; now: number }): Promise<Account> {
    const now = input.now;
    const plan = input.plan ?? 'dedicated';
    const r = this.stmt('INSERT INTO accounts (email, plan, created_at) VALUES (?, ?, ?)').run(input.email, plan, now);
    this.clearLookups();
    return { id: Number(r.lastInsertRowid), email: input.email, plan, createdAt: now };
  }

  async findAccountByEmail(email: string): Promise<Account | undefined> {
    const r = this.stmt('SELECT id, email, plan, created_at FROM accounts WHERE email = ?').get(email) as
      { id: number; email: string; plan: string; created_at: number } | undefined;
    return r && { id: r.id, email: r.email, plan: r.plan, createdAt: r.created_at };
  }

  async listAccounts(): Promise<Account[]> {
    const rows = this.stmt('SELECT id, email, plan, created_at FROM accounts ORDER BY id').all() as {
      id: number;
      email: string;
      plan: string;
      created_at: number;
    }[];
    return rows.map((r) => ({ id: r.id, email: r.email, plan: r.plan, createdAt: r.created_at }));
  }

  async createApiKey(input: {
    accountId: number;
    keyId: string;
    secretDigest: string;
    label?: string;
    now: number;
  }): Promise<ApiKey> {
    const now = input.now;
    this.stmt('INSERT INTO api_keys (key_id, account_id, secret_digest, label, created_at) VALUES (?, ?, ?, ?, ?)').run(
      input.keyId,
      input.accountId,
      input.secretDigest,
      input.label ?? null,
      now,
    );
    this.clearLookups();
    const key = await this.findApiKey(input.keyId);
    if (key === undefined) throw new Error('api key vanished after insert');
    const { secretDigest: _omit, ...rest } = key;
    return rest;
  }

  private static readonly KEY_SELECT = `SELECT k.key_id, k.account_id, a.email AS account_email, a.plan AS account_plan,
    k.label, k.created_at, k.revoked_at, k.secret_digest FROM api_keys k JOIN accounts a ON a.id = k.account_id`;

  async listApiKeys(accountId?: number): Promise<ApiKey[]> {
    const rows = (
      accountId === undefined
        ? this.stmt(`${SqliteStore.KEY_SELECT} ORDER BY k.created_at, k.key_id`).all()
        : this.stmt(`${SqliteStore.KEY_SELECT} WHERE k.account_id = ? ORDER BY k.created_at, k.key_id`).all(accountId)
    ) as KeyRow[];
    return rows.map((r) => {
      const { secretDigest: _omit, ...rest } = keyFromRow(r);
      return rest;
    });
  }

  async revokeApiKey(keyId: string, now: number): Promise<boolean> {
    const r = this.stmt('UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL').run(now, keyId);
    this.clearLookups();
    return r.changes > 0;
  }

  async findApiKey(keyId: string): Promise<(ApiKey & { secretDigest: string }) | undefined> {
    return this.keyCache.get(keyId, () => {
      const r = this.stmt(`${SqliteStore.KEY_SELECT} WHERE k.key_id = ?`).get(keyId) as KeyRow | undefined;
      return r && Object.freeze(keyFromRow(r));
    });
  }

  /** Every write to accounts, api_keys or lines through this connection (lookup-cache.ts). */
  private clearLookups(): void {
    this.keyCache.clear();
    this.lineCache.clear();
  }

  private static readonly LINE_SELECT = `SELECT l.id, l.account_id, a.email AS account_email, l.number, l.provider,
    l.created_at FROM lines l JOIN accounts a ON a.id = l.account_id`;

  async addLine(input: { accountId: number; number: string; provider: string; now: number }): Promise<Line> {
    this.stmt('INSERT INTO lines (account_id, number, provider, created_at) VALUES (?, ?, ?, ?)').run(
      input.accountId,
      input.number,
      input.provider,
      input.now,
    );
    this.clearLookups();
    const line = await this.findLine(input.number);
    if (line === undefined) throw new Error('line vanished after insert');
    return line;
  }

  async findLine(number: string): Promise<Line | undefined> {
    return this.lineCache.get(number, () => {
      const r = this.stmt(`${SqliteStore.LINE_SELECT} WHERE l.number = ?`).get(number) as LineRow | undefined;
      return r && Object.freeze(lineFromRow(r));
    });
  }

  async listLines(accountId?: number): Promise<Line[]> {
    const rows = (
      accountId === undefined
        ? this.stmt(`${SqliteStore.LINE_SELECT} ORDER BY l.id`).all()
        : this.stmt(`${SqliteStore.LINE_SELECT} WHERE l.account_id = ? ORDER BY l.id`).all(accountId)
    ) as LineRow[];
    return rows.map(lineFromRow);
  }

  // --- messages --------------------------------------------------------------------------------

  /** Group-committed with every other write of this event-loop turn (group-commit.ts). */
  acceptOutbound(input: AcceptInput): Promise<AcceptResult> {
    return this.commits.run(() => this.acceptOne(input, this.queuedInTransaction));
  }

  /** Stores one message (inside the caller's transaction). `queued` caches per-account counts. */
  private acceptOne(input: AcceptInput, queued: Map<number, number>): AcceptResult {
    let m = input.message;
    let responseBody = input.idempotency?.responseBody;
    // Decided inside the transaction, so a send can never slip past a STOP committed before it.
    if (input.whenOptedOut !== undefined && this.contacts.isOptedOut(m.accountId, m.number)) {
      m = input.whenOptedOut.message;
      responseBody = input.whenOptedOut.responseBody;
    }
    if (input.idempotency !== undefined) {
      const prior = this.stmt(
        'SELECT request_hash, response_body FROM idempotency_keys WHERE account_id = ? AND key = ?',
      ).get(m.accountId, input.idempotency.key) as { request_hash: string; response_body: string } | undefined;
      if (prior !== undefined)
        return { kind: 'replay', requestHash: prior.request_hash, responseBody: prior.response_body };
    }
    if (m.status === 'QUEUED') {
      let n = queued.get(m.accountId);
      // The counter (migration 0004) plus this transaction's unwritten changes: O(1), however long the backlog.
      n ??=
        (
          this.stmt(
            `SELECT coalesce(max(n), 0) AS n FROM message_counts
            WHERE account_id = ? AND dimension = 'status' AND value = 'QUEUED'`,
          ).get(m.accountId) as { n: number }
        ).n + this.counts.pending(m.accountId, 'status', 'QUEUED');
      if (n >= input.queueLimit) return { kind: 'queue_full' };
      queued.set(m.accountId, n + 1);
    }
    const insert = this.stmt(INSERT_MESSAGE_SQL);
    const id = Number(insert.run(messageParams({ ...m, statusSeq: 0 })).lastInsertRowid);
    this.counts.inserted(m);
    if (m.status === 'QUEUED') {
      this.stmt(`INSERT INTO jobs (kind, message_id, run_at) VALUES ('send', ?, ?)`).run(id, m.createdAt);
    } else {
      // Stored already final (e.g. DECLINED): its callbacks are part of this transaction too.
      this.webhooks.enqueueStatusChange(this.loadMessage(id), m.createdAt);
    }
    if (input.idempotency !== undefined) {
      const k = input.idempotency;
      this.stmt(
        'INSERT INTO idempotency_keys (account_id, key, request_hash, response_body, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(m.accountId, k.key, k.requestHash, responseBody, m.createdAt);
    }
    return { kind: 'accepted', message: { ...m, id, statusSeq: 0 } };
  }

  private loadMessage(id: number): Message {
    const row = this.stmt(`${MESSAGE_SELECT} WHERE m.id = ?`).get(id) as MessageRow | undefined;
    if (row === undefined) throw new Error(`message ${id} not found`);
    return rowToMessage(row);
  }

  async getMessage(accountId: number, handle: string): Promise<Message | undefined> {
    const row = this.stmt(`${MESSAGE_SELECT} WHERE m.handle = ? AND m.account_id = ?`).get(handle, accountId) as
      MessageRow | undefined;
    return row && rowToMessage(row);
  }

  async listMessages(accountId: number, query: MessageQuery): Promise<{ messages: Message[]; total: number }> {
    const build = (sides?: NumberSides) =>
      buildMessageList(
        accountId,
        query,
        () => '?',
        (b) => (b ? 1 : 0),
        MESSAGE_SELECT,
        sides,
      );
    // One read transaction: the total, and the page chosen from it, come from the same snapshot.
    return this.db.transaction(() => {
      const { count } = build();
      const counted = this.stmt(count.sql).get(...count.params) as { n: number; contact_n?: number; line_n?: number };
      const { page } = build(numberSidesOf(counted));
      const rows = this.stmt(page.sql).all(...page.params) as MessageRow[];
      return { messages: rows.map(rowToMessage), total: counted.n };
    })();
  }

  // --- two-way messaging (sqlite-inbound.ts, sqlite-contacts.ts, sqlite-groups.ts) ---------------

  async acceptInbound(input: InboundInput): Promise<InboundResult> {
    return this.inbound.accept(input);
  }

  async getContact(accountId: number, number: string): Promise<Contact> {
    return this.contacts.get(accountId, number);
  }

  async setContactOptOut(input: {
    accountId: number;
    number: string;
    optedOut: boolean;
    now: number;
  }): Promise<Contact> {
    return this.contacts.set(input.accountId, input.number, input.optedOut, input.now);
  }

  async getAccountSettings(accountId: number): Promise<AccountSettings> {
    return this.settings.get(accountId);
  }

  async updateAccountSettings(
    accountId: number,
    update: { helpReply: string | null; now: number },
  ): Promise<AccountSettings> {
    return this.settings.update(accountId, update.helpReply, update.now);
  }

  async findOrCreateGroup(input: {
    accountId: number;
    line: string;
    members: string[];
    groupId: string;
    now: number;
  }): Promise<Group> {
    return this.groups.findOrCreate(input);
  }

  async getGroup(accountId: number, groupId: string): Promise<Group | undefined> {
    return this.groups.get(accountId, groupId);
  }

  async setGroupMembers(input: {
    accountId: number;
    groupId: string;
    members: string[];
    now: number;
  }): Promise<Group | undefined> {
    return this.groups.setMembers(input);
  }

  // --- the job queue ---------------------------------------------------------------------------

  async claimJobs(input: { now: number; limit: number; leaseUntil: number; workerId: string }): Promise<ClaimedJob[]> {
    // The due jobs with their messages and their lines' providers, in one query.
    const due = this.stmt(
      `SELECT j.id AS job_id, j.kind AS job_kind, j.message_id AS job_message_id, j.attempts AS job_attempts,
          j.last_error AS job_last_error, j.payload AS job_payload,
          m.*, a.email AS account_email, a.plan AS plan, l.provider AS line_provider
         FROM jobs j LEFT JOIN messages m ON m.id = j.message_id LEFT JOIN accounts a ON a.id = m.account_id
         LEFT JOIN lines l ON l.number = m.sendblue_number
        WHERE j.run_at <= ? ORDER BY j.run_at, j.id LIMIT ?`,
    );
    const lease = this.stmt(
      `UPDATE jobs SET run_at = ?, attempts = attempts + 1, leased_by = ? WHERE id IN (SELECT value FROM json_each(?))`,
    );
    // A write (the lease), so it shares the turn's transaction rather than paying a commit of its own.
    return this.commits.run(() => {
      const rows = due.all(input.now, input.limit) as DueRow[];
      if (rows.length === 0) return [];
      lease.run(input.leaseUntil, input.workerId, JSON.stringify(rows.map((r) => r.job_id)));
      // In (run_at, id) order: the worker applies a message's status jobs in the order given.
      return rows.flatMap((r): ClaimedJob[] => {
        if (r.id === null) return [];
        const job = jobFromRow({
          id: r.job_id,
          kind: r.job_kind,
          message_id: r.job_message_id,
          run_at: input.leaseUntil,
          attempts: r.job_attempts + 1,
          last_error: r.job_last_error,
          payload: r.job_payload,
        });
        return [{ job, message: rowToMessage(r as MessageRow), provider: r.line_provider ?? '' }];
      });
    });
  }

  async finishJobs(outcomes: JobOutcome[], now: number): Promise<StatusChange[]> {
    const del = this.stmt('DELETE FROM jobs WHERE id = ?');
    const retry = this.stmt('UPDATE jobs SET run_at = ?, last_error = ?, leased_by = NULL WHERE id = ?');
    const schedule = this.stmt(`INSERT INTO jobs (kind, message_id, run_at, payload) VALUES ('status', ?, ?, ?)`);
    const update = this.stmt(
      `UPDATE messages SET status = ?, service = ?, was_downgraded = ?, error_code = ?, error_message = ?,
        error_reason = ?, error_detail = ?, updated_at = ?, status_seq = ? WHERE id = ?`,
    );
    // One query each for the jobs' claims and their messages, rather than one per outcome.
    const held = this.stmt('SELECT id, attempts FROM jobs WHERE id IN (SELECT value FROM json_each(?))');
    const load = this.stmt(`${MESSAGE_SELECT} WHERE m.id IN (SELECT value FROM json_each(?))`);
    return this.commits.run(() => {
      const changes: StatusChange[] = [];
      const attempts = new Map(
        (held.all(JSON.stringify(outcomes.map((o) => o.jobId))) as { id: number; attempts: number }[]).map((r) => [
          r.id,
          r.attempts,
        ]),
      );
      // A message's current state within this transaction: outcomes of one batch chain on it.
      const messages = new Map<number, Message>();
      const patched = [
        ...new Set(outcomes.flatMap((o) => (o.kind === 'done' && o.patches.length > 0 ? [o.messageId] : []))),
      ];
      if (patched.length > 0) {
        for (const row of load.all(JSON.stringify(patched)) as MessageRow[]) messages.set(row.id, rowToMessage(row));
      }
      for (const o of outcomes) {
        // An outcome of a claim that no longer holds its job is not recorded (JobOutcome.attempt).
        if (o.attempt !== undefined && attempts.get(o.jobId) !== o.attempt) continue;
        if (o.kind === 'retry') {
          retry.run(o.runAt, o.error, o.jobId);
          continue;
        }
        if (o.patches.length > 0) {
          // Patches chain in memory; the row is written once, with the last state.
          const loaded = messages.get(o.messageId);
          if (loaded === undefined) throw new Error(`message ${o.messageId} not found`);
          let current = loaded;
          for (const patch of o.patches) {
            const next = applyPatch(current, patch, now);
            if (next === undefined) continue;
            changes.push({ previous: current.status, message: next });
            this.webhooks.enqueueStatusChange(next, now);
            current = next;
          }
          if (current !== loaded) {
            update.run(
              current.status,
              current.service,
              current.wasDowngraded === null ? null : current.wasDowngraded ? 1 : 0,
              current.errorCode,
              current.errorMessage,
              current.errorReason,
              current.errorDetail,
              current.updatedAt,
              current.statusSeq,
              o.messageId,
            );
            this.counts.statusChanged(current.accountId, loaded.status, current.status);
            messages.set(o.messageId, current);
          }
        }
        for (const s of o.schedule) schedule.run(o.messageId, s.runAt, encodeScheduledStatus(s));
        del.run(o.jobId);
        attempts.delete(o.jobId);
      }
      return changes;
    });
  }

  async nextJobAt(): Promise<number | null> {
    const r = this.stmt('SELECT min(run_at) AS t FROM jobs').get() as { t: number | null };
    return r.t;
  }

  async countJobs(): Promise<number> {
    return (this.stmt('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;
  }

  // --- webhooks (sqlite-webhooks.ts) ----------------------------------------------------------

  async getWebhookConfig(accountId: number, now: number): Promise<WebhookConfig> {
    return this.webhooks.getConfig(accountId, now);
  }

  async updateWebhookConfig(accountId: number, update: WebhookConfigUpdate, now: number): Promise<WebhookConfig> {
    return this.webhooks.updateConfig(accountId, update, now);
  }

  async removeWebhookEndpoints(
    accountId: number,
    input: { urls: string[]; type?: WebhookType; now: number },
  ): Promise<number> {
    return this.webhooks.removeEndpoints(accountId, input);
  }

  async enqueueWebhooks(deliveries: NewWebhookDelivery[], now: number): Promise<void> {
    this.webhooks.enqueue(deliveries, now);
  }

  async claimWebhookDeliveries(input: WebhookClaimInput): Promise<ClaimedDelivery[]> {
    return this.webhooks.claim(input);
  }

  recordWebhookAttempt(result: WebhookAttemptResult): Promise<void> {
    return this.webhooks.record(result);
  }

  async nextWebhookDeliveryAt(now: number): Promise<number | null> {
    return this.webhooks.nextDueAt(now);
  }

  async listWebhookDeliveries(
    accountId: number,
    query: DeliveryQuery,
  ): Promise<{ deliveries: WebhookDeliveryLog[]; total: number }> {
    return this.webhooks.list(accountId, query);
  }

  async replayWebhookDelivery(accountId: number, id: number, now: number): Promise<WebhookDelivery | undefined> {
    return this.webhooks.replay(accountId, id, now);
  }
}

interface KeyRow {
  key_id: string;
  account_id: number;
  account_email: string;
  account_plan: string;
  label: string | null;
  created_at: number;
  revoked_at: number | null;
  secret_digest: string;
}

function keyFromRow(r: KeyRow): ApiKey & { secretDigest: string } {
  return {
    keyId: r.key_id,
    accountId: r.account_id,
    accountEmail: r.account_email,
    accountPlan: r.account_plan,
    label: r.label,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    secretDigest: r.secret_digest,
  };
}

interface LineRow {
  id: number;
  account_id: number;
  account_email: string;
  number: string;
  provider: string;
  created_at: number;
}

function lineFromRow(r: LineRow): Line {
  return {
    id: r.id,
    accountId: r.account_id,
    accountEmail: r.account_email,
    number: r.number,
    provider: r.provider,
    createdAt: r.created_at,
  };
}

function jobFromRow(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind as JobKind,
    messageId: r.message_id,
    runAt: r.run_at,
    attempts: r.attempts,
    lastError: r.last_error,
    ...decodeScheduledStatus(r.payload),
  };
}
