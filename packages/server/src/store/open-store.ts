import { databaseDialect, sqlitePath } from '../config/config.js';
import type { Store } from './store.js';

/**
 * Opens and migrates the store a `DATABASE_URL` names. Backends load on demand, so a SQLite user
 * never loads the PostgreSQL driver and the admin commands start fast.
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  const store: Store =
    databaseDialect(databaseUrl) === 'postgres'
      ? new (await import('./postgres/postgres-store.js')).PostgresStore(databaseUrl)
      : new (await import('./sqlite/sqlite-store.js')).SqliteStore(sqlitePath(databaseUrl));
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
