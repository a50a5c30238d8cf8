import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { HAS_POSTGRES, TEST_SECRET_KEY } from './backends.js';
import { createTestSchema } from './postgres.js';
import { tempDir } from './temp-dir.js';

/**
 * A fresh, migrated store with a second connection that reads and writes its tables in plain SQL
 * (foreign keys enforced), for contract tests that must see or make every row of every table,
 * whatever port owns it. `$1, $2…` parameters on both backends.
 */
export interface RawStoreInstance {
  store: Store;
  /** The database's tables, sorted, without the migrations' own bookkeeping. */
  tables(): Promise<string[]>;
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  dispose(): Promise<void>;
}

export interface RawStoreBackend {
  readonly name: string;
  create(): Promise<RawStoreInstance>;
}

const BOOKKEEPING = new Set([
  'schema_migrations',
  'sqlite_sequence',
  'sqlite_stat1',
  'sqlite_stat4',
  // SQLite's full-text index of messages (migration 0022) and its internal tables: index
  // structures over messages, with no rows of an account of their own.
  'messages_fts',
  'messages_fts_config',
  'messages_fts_data',
  'messages_fts_docsize',
  'messages_fts_idx',
]);

export const rawSqliteBackend: RawStoreBackend = {
  name: 'sqlite',
  async create() {
    const dir = tempDir('tapback-raw-store-');
    const path = `${dir.path}/tapback.db`;
    const store = createSqliteStore(path);
    await store.migrate();
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    const query = async <R>(sql: string, params: readonly unknown[] = []): Promise<R[]> => {
      const statement = db.prepare(sql.replace(/\$\d+/g, '?'));
      if (statement.reader) return statement.all(...params) as R[];
      statement.run(...params);
      return [];
    };
    return {
      store,
      query,
      tables: async () =>
        (await query<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`))
          .map((r) => r.name)
          .filter((t) => !BOOKKEEPING.has(t)),
      dispose: async () => {
        db.close();
        await store.close();
        dir.cleanup();
      },
    };
  },
};

export const rawPostgresBackend: RawStoreBackend = {
  name: 'postgres',
  async create() {
    const schema = await createTestSchema();
    const store = createPostgresStore(schema.url, { poolSize: 4, secretKey: TEST_SECRET_KEY });
    await store.migrate();
    const client = new pg.Client(schema.url);
    await client.connect();
    const query = async <R>(sql: string, params: readonly unknown[] = []): Promise<R[]> =>
      (await client.query(sql, params as unknown[])).rows as R[];
    return {
      store,
      query,
      tables: async () =>
        (await query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema()`))
          .map((r) => r.t)
          .filter((t) => !BOOKKEEPING.has(t))
          .sort(),
      dispose: async () => {
        await client.end();
        await store.close();
        await schema.dispose();
      },
    };
  },
};

export const RAW_STORE_BACKENDS: readonly RawStoreBackend[] = HAS_POSTGRES
  ? [rawSqliteBackend, rawPostgresBackend]
  : [rawSqliteBackend];
