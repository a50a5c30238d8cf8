import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openThreadedSqliteStore } from '../../src/store/sqlite-thread/threaded-store.js';
import type { Account } from '../../src/domain/account.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, createTestSchema, postgresAdminUrl } from './postgres.js';
import { tempDir } from './temp-dir.js';

/**
 * The `TAPBACK_SECRET_KEY` of tests on PostgreSQL, where the setting is required (every process
 * of a test must share it). 32 bytes, base64.
 */
export const TEST_SECRET_KEY = 'dGFwYmFjay10ZXN0LXNlY3JldC1rZXktMzItYnl0ZXM=';

/** A fresh, migrated, empty store, and how to throw it away (close it and delete its data). */
export interface BackendInstance {
  store: Store;
  dispose(): Promise<void>;
  /**
   * Runs SQL on a connection of its own, behind the store's back, with foreign keys not enforced:
   * for tests that must make a state the store itself never makes (a job whose message is gone).
   */
  unchecked(sql: string): Promise<void>;
}

/**
 * One storage backend as the store contract suite sees it. Each `create()` must return a store
 * that shares nothing with any other (its own file, database or schema), so tests never see each
 * other's rows.
 */
export interface StoreBackend {
  readonly name: string;
  create(): Promise<BackendInstance>;
}

/** SQLite on a file in its own temp directory, in WAL mode as in production (not `:memory:`). */
export const sqliteBackend: StoreBackend = {
  name: 'sqlite',
  create: () => sqliteStore((path) => Promise.resolve(createSqliteStore(path))),
};

/** The same file with the connection on a thread of its own, as the server runs it with TAPBACK_SQLITE_THREAD=on. */
export const sqliteThreadBackend: StoreBackend = {
  name: 'sqlite-thread',
  create: () => sqliteStore((path) => openThreadedSqliteStore(path)),
};

async function sqliteStore(open: (path: string) => Promise<Store>): Promise<BackendInstance> {
  const dir = tempDir('tapback-store-');
  const path = `${dir.path}/tapback.db`;
  const store = await open(path);
  await store.migrate();
  return {
    store,
    unchecked: async (sql) => {
      const db = new Database(path);
      try {
        db.pragma('foreign_keys = OFF');
        db.exec(sql);
      } finally {
        db.close();
      }
    },
    dispose: async () => {
      await store.close();
      dir.cleanup();
    },
  };
}

/** PostgreSQL on a fresh schema of the run's server (see postgres.ts). */
export const postgresBackend: StoreBackend = {
  name: 'postgres',
  async create() {
    const db = await createTestSchema();
    const store = createPostgresStore(db.url, { poolSize: 4, secretKey: TEST_SECRET_KEY });
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      await db.dispose();
      throw error;
    }
    return {
      store,
      unchecked: async (sql) => {
        const client = new pg.Client(db.url);
        await client.connect();
        try {
          // Replica mode skips the triggers that enforce foreign keys (the test cluster's user is a superuser).
          await client.query(`SET session_replication_role = replica; ${sql}`);
        } finally {
          await client.end();
        }
      },
      dispose: async () => {
        await store.close();
        await db.dispose();
      },
    };
  },
};

/** Whether this run has a PostgreSQL server; when not, the global setup said why it is skipped. */
export const HAS_POSTGRES = postgresAdminUrl() !== null;

/** Every backend the store contract suite runs against. Add new backends here. */
export const STORE_BACKENDS: readonly StoreBackend[] = HAS_POSTGRES
  ? [sqliteBackend, sqliteThreadBackend, postgresBackend]
  : [sqliteBackend, sqliteThreadBackend];

/**
 * A `DATABASE_URL` for a whole server (or several processes sharing it) on one backend, and how
 * to delete it. API and delivery tests run on each of SERVER_BACKENDS through
 * `startTestServer({ DATABASE_URL: db.url })`.
 */
export interface ServerBackend {
  readonly name: string;
  createDatabase(): Promise<{ url: string; dispose(): Promise<void> }>;
}

export const sqliteServerBackend: ServerBackend = {
  name: 'sqlite',
  async createDatabase() {
    const dir = tempDir('tapback-server-');
    return { url: `sqlite:${dir.path}/tapback.db`, dispose: async () => dir.cleanup() };
  },
};

/** A database of its own per server, so LISTEN/NOTIFY and advisory locks never cross tests. */
export const postgresServerBackend: ServerBackend = { name: 'postgres', createDatabase: createTestDatabase };

export const SERVER_BACKENDS: readonly ServerBackend[] = HAS_POSTGRES
  ? [sqliteServerBackend, postgresServerBackend]
  : [sqliteServerBackend];

/**
 * The two accounts the store contract suites start from, `a@example.com` and `b@example.com`
 * (plan `blue` for b when asked), each with its sandbox lines.
 */
export async function twoAccounts(
  store: Store,
  lines: { a: readonly string[]; b: readonly string[] },
  options: { bPlan?: string } = {},
): Promise<{ a: Account; b: Account }> {
  const now = Date.now();
  const a = await store.createAccount({ email: 'a@example.com', now });
  const b = await store.createAccount({
    email: 'b@example.com',
    now,
    ...(options.bPlan === undefined ? {} : { plan: options.bPlan }),
  });
  for (const [account, numbers] of [
    [a, lines.a],
    [b, lines.b],
  ] as const) {
    for (const number of numbers) await store.addLine({ accountId: account.id, number, provider: 'sandbox', now });
  }
  return { a, b };
}
