import type Database from 'better-sqlite3';
import type { Message } from '../../domain/message.js';
import { SecretCipher, newSecretKeyText } from '../../lib/secret-cipher.js';
import { composeStore } from '../compose-store.js';
import { planPorts } from '../plan-ports.js';
import { isOptedOut as isOptedOutPlan } from '../queries/contact-queries.js';
import { sealSigningSecrets } from '../queries/webhook-config-queries.js';
import type { Store } from '../store.js';
import { Checkpointer } from './checkpointer.js';
import { GroupCommit } from './group-commit.js';
import { InboxProjections } from './inbox-projections.js';
import { MessageCountDeltas, UPSERT_COUNT_SQL } from './message-count-deltas.js';
import { type Prepared, prepare } from './prepared.js';
import { loadOrCreateSecretKey } from './secret-key-file.js';
import { SqliteAccept } from './sqlite-accept.js';
import { durabilityOf, openSqliteDatabase } from './sqlite-connection.js';
import { SqliteEvents } from './sqlite-events.js';
import { SqliteInbound } from './sqlite-inbound.js';
import { SqliteJobs } from './sqlite-jobs.js';
import { SqliteReceipts } from './sqlite-receipts.js';
import { SqliteLookups } from './sqlite-lookups.js';
import { SqliteMessageList } from './sqlite-message-list.js';
import { migrateSqlite } from './sqlite-migrate.js';
import { SqlitePlanRunner } from './sqlite-plan-runner.js';
import { SqliteWebhookOutbox } from './sqlite-webhook-outbox.js';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

export interface SqliteStoreOptions {
  /**
   * The key that seals stored secrets (lib/secret-cipher.ts), as `TAPBACK_SECRET_KEY` gives it;
   * without one, the key file next to the database (secret-key-file.ts), created on first use.
   */
  secretKey?: string | undefined;
}

/** The embedded backend, with what only SQLite has: its durability settings, for the `serve` banner and tests. */
export type SqliteStore = Store & {
  durability(): { journalMode: string; synchronous: number };
  startBackgroundWork(): void;
};

/**
 * The embedded backend: one SQLite file (sqlite-connection.ts). The writes of one event-loop turn
 * (sends, claims, outcomes, webhook attempts) share one transaction (group-commit.ts), which is
 * what makes full durability cheap. Each port is implemented once, in the file named for it;
 * this only wires them together on one connection. `path` is a file, or `:memory:`.
 */
export function createSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const db = openSqliteDatabase(path);
  const cipher = SecretCipher.fromText(
    options.secretKey ??
      // A throwaway store's secrets die with it: a fresh key serves.
      (path === ':memory:' ? newSecretKeyText() : loadOrCreateSecretKey(path)),
  );
  const statements = new Map<string, Prepared>();
  const stmt = (sql: string): Prepared => {
    let s = statements.get(sql);
    if (s === undefined) statements.set(sql, (s = prepare(db, sql)));
    return s;
  };
  /** message_counts changes of the open transaction, written at its end (message-count-deltas.ts). */
  const counts = new MessageCountDeltas();
  /** Conversations, search index and status history of the open transaction's messages (inbox-projections.ts). */
  const projections = new InboxProjections(stmt);
  const commits = new GroupCommit(
    db,
    () => {
      accept.beginTransaction();
      counts.clear();
      projections.clear();
    },
    () => {
      counts.flush(stmt(UPSERT_COUNT_SQL));
      projections.flush();
    },
  );
  const plans = new SqlitePlanRunner(db, stmt);
  const lookups = new SqliteLookups(db, plans);
  const webhooks = new SqliteWebhookOutbox(db, stmt, commits, plans, cipher);
  const enqueueStatusChange = (message: Message, now: number) => webhooks.enqueueStatusChange(message, now);
  const accept: SqliteAccept = new SqliteAccept({
    stmt,
    commits,
    counts,
    projections,
    isOptedOut: (accountId, number) => plans.run(isOptedOutPlan, accountId, number),
    enqueueStatusChange,
  });
  const inbound = new SqliteInbound({
    db,
    stmt,
    plans,
    counts,
    projections,
    enqueueReceived: (message, now) => webhooks.enqueueReceived(message, now),
    acceptOne: (input) => accept.acceptOne(input),
  });
  const messages = new SqliteMessageList(db, stmt);
  const offPath = planPorts(
    {
      run: async (plan, ...args) => plans.run(plan, ...args),
      transaction: async (plan, ...args) => plans.transaction(plan, ...args),
    },
    cipher,
    () => lookups.clear(),
  );
  const lifecycle = new SqliteLifecycle(db, path, () => plans.transaction(sealSigningSecrets, cipher));
  return composeStore(
    [
      lookups,
      offPath,
      { acceptOutbound: accept.acceptOutbound.bind(accept), acceptInbound: inbound.acceptInbound.bind(inbound) },
      messages,
      new SqliteJobs(stmt, commits, counts, projections, enqueueStatusChange),
      new SqliteReceipts(stmt, commits, counts, projections, enqueueStatusChange),
      new SqliteEvents(),
      webhooks,
    ],
    lifecycle,
    {
      durability: () => durabilityOf(db),
      startBackgroundWork: () => lifecycle.startBackgroundWork(),
      databaseVersion: async () => (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
    },
  );
}

/** Opening, migrating and closing the file, and the checkpoints the server process moves off the commit path. */
class SqliteLifecycle {
  readonly capabilities = { dialect: 'sqlite', multiProcess: false } as const;
  private checkpointer: Checkpointer | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly sealSecrets: () => void,
  ) {}

  async migrate(): Promise<void> {
    migrateSqlite(this.db, MIGRATIONS);
    this.sealSecrets();
  }

  async migrationLevel(): Promise<string> {
    const r = this.db.prepare('SELECT name FROM schema_migrations ORDER BY version DESC LIMIT 1').get() as
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
}
