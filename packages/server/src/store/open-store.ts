import type { Store } from './store.js';

/**
 * Where the data lives, as the configuration parsed it from `DATABASE_URL`. The store takes the
 * parsed form rather than the URL so that it never depends on the configuration's rules.
 */
export type StoreLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/**
 * Opens and migrates the store at `location`. Backends load on demand, so a SQLite user never
 * loads the PostgreSQL driver and the admin commands start fast.
 */
export async function openStore(location: StoreLocation): Promise<Store> {
  const store: Store =
    location.dialect === 'postgres'
      ? (await import('./postgres/postgres-store.js')).createPostgresStore(location.url)
      : (await import('./sqlite/sqlite-store.js')).createSqliteStore(location.path);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
