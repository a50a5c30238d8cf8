import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The store's one connection to its file: WAL with `synchronous=FULL`, so a commit is on disk
 * before the API answers; foreign keys enforced; a writer from another process (the CLI) is
 * waited for rather than failed. `path` may be `:memory:` for a throwaway store.
 */
export function openSqliteDatabase(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** The SQLite settings that durability depends on, for start-up checks and tests. */
export function durabilityOf(db: Database.Database): { journalMode: string; synchronous: number } {
  return {
    journalMode: String(db.pragma('journal_mode', { simple: true })),
    synchronous: Number(db.pragma('synchronous', { simple: true })),
  };
}
