import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Message } from '../../domain/message.js';
import { canTransition } from '../../domain/status.js';
import { Batcher, type Settled } from '../batcher.js';
import { buildMessageFilter } from '../message-filter.js';
import type {
  AcceptInput,
  AcceptResult,
  Account,
  ApiKey,
  ClaimedJob,
  Job,
  JobKind,
  JobOutcome,
  Line,
  MessageQuery,
  StatusChange,
  StatusPatch,
  Store,
  StoreCapabilities,
} from '../store.js';
import { migrateSqlite } from './migrate.js';
import { MESSAGE_COLUMNS, MESSAGE_SELECT, type MessageRow, messageParams, rowToMessage } from './message-row.js';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

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
 * disk before the API answers. Concurrent sends share one transaction (group commit through
 * `Batcher`), which is what makes full durability cheap.
 */
export class SqliteStore implements Store {
  readonly capabilities: StoreCapabilities = { dialect: 'sqlite', multiProcess: false };
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly acceptBatcher: Batcher<AcceptInput, AcceptResult>;

  /** `path` is a file path, or `:memory:` for throwaway stores. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.acceptBatcher = new Batcher((items) => this.acceptBatch(items));
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

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  // --- accounts, keys, lines -------------------------------------------------------------------

  async createAccount(input: { email: string; plan?: string }): Promise<Account> {
    const now = Date.now();
    const plan = input.plan ?? 'dedicated';
    const r = this.stmt('INSERT INTO accounts (email, plan, created_at) VALUES (?, ?, ?)').run(input.email, plan, now);
    return { id: Number(r.lastInsertRowid), email: input.email, plan, createdAt: now };
  }

  async findAccountByEmail(email: string): Promise<Account | undefined> {
    const r = this.stmt('SELECT id, email, plan, created_at FROM accounts WHERE email = ?').get(email) as
      | { id: number; email: string; plan: string; created_at: number }
      | undefined;
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

  async createApiKey(input: { accountId: number; keyId: string; secretDigest: string; label?: string }): Promise<ApiKey> {
    const now = Date.now();
    this.stmt(
      'INSERT INTO api_keys (key_id, account_id, secret_digest, label, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(input.keyId, input.accountId, input.secretDigest, input.label ?? null, now);
    const key = await this.findApiKey(input.keyId);
    if (key === undefined) throw new Error('api key vanished after insert');
    const { secretDigest: _omit, ...rest } = key;
    return rest;
  }

  private static readonly KEY_SELECT = `SELECT k.key_id, k.account_id, a.email AS account_email, k.label,
    k.created_at, k.revoked_at, k.secret_digest FROM api_keys k JOIN accounts a ON a.id = k.account_id`;

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

  async revokeApiKey(keyId: string): Promise<boolean> {
    const r = this.stmt('UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL').run(
      Date.now(),
      keyId,
    );
    return r.changes > 0;
  }

  async findApiKey(keyId: string): Promise<(ApiKey & { secretDigest: string }) | undefined> {
    const r = this.stmt(`${SqliteStore.KEY_SELECT} WHERE k.key_id = ?`).get(keyId) as KeyRow | undefined;
    return r && keyFromRow(r);
  }

  private static readonly LINE_SELECT = `SELECT l.id, l.account_id, a.email AS account_email, l.number, l.provider,
    l.created_at FROM lines l JOIN accounts a ON a.id = l.account_id`;

  async addLine(input: { accountId: number; number: string; provider: string }): Promise<Line> {
    this.stmt('INSERT INTO lines (account_id, number, provider, created_at) VALUES (?, ?, ?, ?)').run(
      input.accountId,
      input.number,
      input.provider,
      Date.now(),
    );
    const line = await this.findLine(input.number);
    if (line === undefined) throw new Error('line vanished after insert');
    return line;
  }

  async findLine(number: string): Promise<Line | undefined> {
    const r = this.stmt(`${SqliteStore.LINE_SELECT} WHERE l.number = ?`).get(number) as LineRow | undefined;
    return r && lineFromRow(r);
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

  acceptOutbound(input: AcceptInput): Promise<AcceptResult> {
    return this.acceptBatcher.submit(input);
  }

  /** One transaction for the whole batch; each item in a savepoint so one failure spares the rest. */
  private acceptBatch(items: AcceptInput[]): Settled<AcceptResult>[] {
    const insertMessage = this.stmt(
      `INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')}) VALUES (${MESSAGE_COLUMNS.map((c) => '@' + c).join(', ')})`,
    );
    const insertJob = this.stmt(`INSERT INTO jobs (kind, message_id, run_at) VALUES ('send', ?, ?)`);
    const findKey = this.stmt('SELECT request_hash, response_body FROM idempotency_keys WHERE account_id = ? AND key = ?');
    const insertKey = this.stmt(
      'INSERT INTO idempotency_keys (account_id, key, request_hash, response_body, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    const countQueued = this.stmt(
      `SELECT count(*) AS n FROM (SELECT 1 FROM messages WHERE account_id = ? AND status = 'QUEUED' LIMIT ?)`,
    );
    // Counted once per account per batch, then kept current in memory.
    const queued = new Map<number, number>();
    const one = this.db.transaction((input: AcceptInput): AcceptResult => {
      const m = input.message;
      if (input.idempotency !== undefined) {
        const prior = findKey.get(m.accountId, input.idempotency.key) as
          | { request_hash: string; response_body: string }
          | undefined;
        if (prior !== undefined) {
          return { kind: 'replay', requestHash: prior.request_hash, responseBody: prior.response_body };
        }
      }
      if (m.status === 'QUEUED') {
        let n = queued.get(m.accountId);
        if (n === undefined) n = (countQueued.get(m.accountId, input.queueLimit) as { n: number }).n;
        if (n >= input.queueLimit) return { kind: 'queue_full' };
        queued.set(m.accountId, n + 1);
      }
      const r = insertMessage.run(messageParams({ ...m, statusSeq: 0 }));
      const id = Number(r.lastInsertRowid);
      if (m.status === 'QUEUED') insertJob.run(id, m.createdAt);
      if (input.idempotency !== undefined) {
        const k = input.idempotency;
        insertKey.run(m.accountId, k.key, k.requestHash, k.responseBody, m.createdAt);
      }
      const stored = this.loadMessage(id);
      return { kind: 'accepted', message: stored };
    });
    const results: Settled<AcceptResult>[] = [];
    this.db.transaction(() => {
      for (const item of items) {
        try {
          results.push({ ok: true, value: one(item) });
        } catch (error) {
          results.push({ ok: false, error });
        }
      }
    }).immediate();
    return results;
  }

  private loadMessage(id: number): Message {
    const row = this.stmt(`${MESSAGE_SELECT} WHERE m.id = ?`).get(id) as MessageRow | undefined;
    if (row === undefined) throw new Error(`message ${id} not found`);
    return rowToMessage(row);
  }

  async getMessage(accountId: number, handle: string): Promise<Message | undefined> {
    const row = this.stmt(`${MESSAGE_SELECT} WHERE m.handle = ? AND m.account_id = ?`).get(handle, accountId) as
      | MessageRow
      | undefined;
    return row && rowToMessage(row);
  }

  async listMessages(accountId: number, query: MessageQuery): Promise<{ messages: Message[]; total: number }> {
    const f = buildMessageFilter(accountId, query, () => '?', (b) => (b ? 1 : 0));
    const rows = this.stmt(`${MESSAGE_SELECT} WHERE ${f.where} ORDER BY ${f.orderBy} LIMIT ? OFFSET ?`).all(
      ...f.params,
      query.limit,
      query.offset,
    ) as MessageRow[];
    const total = (this.stmt(`SELECT count(*) AS n FROM messages m WHERE ${f.where}`).get(...f.params) as { n: number })
      .n;
    return { messages: rows.map(rowToMessage), total };
  }

  // --- the job queue ---------------------------------------------------------------------------

  async claimJobs(input: { now: number; limit: number; leaseUntil: number; workerId: string }): Promise<ClaimedJob[]> {
    const claim = this.stmt(
      `UPDATE jobs SET run_at = ?, attempts = attempts + 1, leased_by = ?
        WHERE id IN (SELECT id FROM jobs WHERE run_at <= ? ORDER BY run_at LIMIT ?)
        RETURNING id, kind, message_id, run_at, attempts, last_error, payload`,
    );
    const provider = this.stmt('SELECT provider FROM lines WHERE number = ?');
    return this.db
      .transaction(() => {
        const rows = claim.all(input.leaseUntil, input.workerId, input.now, input.limit) as JobRow[];
        return rows.map((r): ClaimedJob => {
          const message = this.loadMessage(r.message_id);
          const line = provider.get(message.sendblueNumber) as { provider: string } | undefined;
          return { job: jobFromRow(r), message, provider: line?.provider ?? '' };
        });
      })
      .immediate();
  }

  async finishJobs(outcomes: JobOutcome[], now: number): Promise<StatusChange[]> {
    const del = this.stmt('DELETE FROM jobs WHERE id = ?');
    const retry = this.stmt('UPDATE jobs SET run_at = ?, last_error = ?, leased_by = NULL WHERE id = ?');
    const schedule = this.stmt(`INSERT INTO jobs (kind, message_id, run_at, payload) VALUES ('status', ?, ?, ?)`);
    return this.db
      .transaction(() => {
        const changes: StatusChange[] = [];
        for (const o of outcomes) {
          if (o.kind === 'retry') {
            retry.run(o.runAt, o.error, o.jobId);
            continue;
          }
          for (const patch of o.patches) {
            const change = this.applyPatch(o.messageId, patch, now);
            if (change !== undefined) changes.push(change);
          }
          for (const s of o.schedule) schedule.run(o.messageId, s.runAt, JSON.stringify(s.patch));
          del.run(o.jobId);
        }
        return changes;
      })
      .immediate();
  }

  /** Applies a patch if it moves the status forward; must run inside a transaction. */
  private applyPatch(messageId: number, patch: StatusPatch, now: number): StatusChange | undefined {
    const current = this.loadMessage(messageId);
    if (!canTransition(current.status, patch.status)) return undefined;
    const next: Message = {
      ...current,
      status: patch.status,
      service: patch.service ?? current.service,
      wasDowngraded: patch.wasDowngraded !== undefined ? patch.wasDowngraded : current.wasDowngraded,
      errorCode: patch.errorCode !== undefined ? patch.errorCode : current.errorCode,
      errorMessage: patch.errorMessage !== undefined ? patch.errorMessage : current.errorMessage,
      errorReason: patch.errorReason !== undefined ? patch.errorReason : current.errorReason,
      errorDetail: patch.errorDetail !== undefined ? patch.errorDetail : current.errorDetail,
      updatedAt: Math.max(now, current.updatedAt),
      statusSeq: current.statusSeq + 1,
    };
    this.stmt(
      `UPDATE messages SET status = @status, service = @service, was_downgraded = @was_downgraded,
        error_code = @error_code, error_message = @error_message, error_reason = @error_reason,
        error_detail = @error_detail, updated_at = @updated_at, status_seq = @status_seq WHERE id = @id`,
    ).run({ ...pick(messageParams(next)), id: messageId });
    return { previous: current.status, message: next };
  }

  async nextJobAt(): Promise<number | null> {
    const r = this.stmt('SELECT min(run_at) AS t FROM jobs').get() as { t: number | null };
    return r.t;
  }

  async countJobs(): Promise<number> {
    return (this.stmt('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;
  }
}

const PATCH_COLUMNS = [
  'status',
  'service',
  'was_downgraded',
  'error_code',
  'error_message',
  'error_reason',
  'error_detail',
  'updated_at',
  'status_seq',
] as const;

function pick(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(PATCH_COLUMNS.map((c) => [c, params[c]]));
}

interface KeyRow {
  key_id: string;
  account_id: number;
  account_email: string;
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
    patch: r.payload === null ? null : (JSON.parse(r.payload) as StatusPatch),
  };
}
