import type { Store } from './store.js';

/**
 * Where the data lives, as the configuration parsed it from `DATABASE_URL`. The store takes the
 * parsed form rather than the URL so that it never depends on the configuration's rules.
 */
export type StoreLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

export interface OpenStoreOptions {
  /**
   * The key that seals stored secrets, as `TAPBACK_SECRET_KEY` gives it. PostgreSQL needs one;
   * SQLite without one uses the key file next to the database (sqlite/secret-key-file.ts).
   */
  secretKey?: string | undefined;
  /**
   * SQLite: run the connection on a thread of its own (sqlite-thread/threaded-store.ts), as the
   * server does with `TAPBACK_SQLITE_THREAD=on`. Short-lived admin commands keep it in theirs.
   */
  thread?: boolean;
}

/**
 * Opens and migrates the store at `location`. Backends load on demand, so a SQLite user never
 * loads the PostgreSQL driver and the admin commands start fast.
 */
export async function openStore(location: StoreLocation, options: OpenStoreOptions = {}): Promise<Store> {
  const { secretKey } = options;
  if (location.dialect === 'postgres' && secretKey === undefined) {
    throw new Error('TAPBACK_SECRET_KEY must be set to use PostgreSQL (the same key in every process)');
  }
  const store: Store =
    location.dialect === 'postgres'
      ? (await import('./postgres/postgres-store.js')).createPostgresStore(location.url, { secretKey: secretKey! })
      : options.thread === true
        ? await (
            await import('./sqlite-thread/threaded-store.js')
          ).openThreadedSqliteStore(location.path, { secretKey })
        : (await import('./sqlite/sqlite-store.js')).createSqliteStore(location.path, { secretKey });
  return migrated(store);
}

/** `store` migrated, or closed (and the error rethrown) when migrating fails. */
export async function migrated<S extends Store>(store: S): Promise<S> {
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
