import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The store's one connection to its file: WAL with `synchronous=FULL`, so a commit is on disk
 * before the API answers; foreign keys enforced; a writer from another process (the CLI) is
 * waited for rather than failed. `path` may be `:memory:` for a throwaway store.
 *
 * The file holds every message, API secret digests and the sealed webhook secrets, so it and
 * its `-wal`/`-shm` are the owner's only (0600), and a directory Tapback creates for it is 0700.
 */
export function openSqliteDatabase(path: string): Database.Database {
  if (path !== ':memory:') {
    makePrivateDirectory(dirname(path));
    makePrivateFile(path);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // SQLite creates -wal and -shm with the database file's mode (and fchmods them to it, whatever
  // the umask), so these chmods only matter for files left by a version that made them 0644.
  if (path !== ':memory:') for (const suffix of ['-wal', '-shm']) restrictMode(`${path}${suffix}`);
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (path !== ':memory:') {
    try {
      requireDurable(durabilityOf(db), path);
    } catch (error) {
      db.close();
      throw error;
    }
  }
  return db;
}

/**
 * The SQLite settings that durability depends on, as the connection reports them: checked by
 * `openSqliteDatabase` (`requireDurable`) and printed in the `serve` banner, where tests read
 * what the running server's own connection uses.
 */
export function durabilityOf(db: Database.Database): { journalMode: string; synchronous: number } {
  return {
    journalMode: String(db.pragma('journal_mode', { simple: true })),
    synchronous: Number(db.pragma('synchronous', { simple: true })),
  };
}

/**
 * Refuses to run on weaker settings than asked for: SQLite answers a `journal_mode` it cannot
 * apply (a file system without shared memory, say) with the mode it kept rather than an error,
 * and an acknowledged send must not depend on which file system the database is on.
 * `synchronous` 2 is FULL, 3 EXTRA.
 */
export function requireDurable(d: { journalMode: string; synchronous: number }, path: string): void {
  if (d.journalMode.toLowerCase() === 'wal' && d.synchronous >= 2) return;
  throw new Error(
    `SQLite database ${path} runs with journal_mode=${d.journalMode}, synchronous=${d.synchronous}; ` +
      'Tapback needs journal_mode=wal and synchronous=FULL (2) so that an acknowledged write survives a crash',
  );
}

/**
 * Creates `dir` and any missing parents 0700. A directory that already exists is left as it is:
 * it may be shared, and its mode is its owner's choice. chmod after mkdir because mkdir's mode is
 * filtered by the umask.
 */
export function makePrivateDirectory(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (first === undefined) return;
  let current = first;
  chmodSync(current, 0o700);
  for (const part of relative(first, dir)
    .split(sep)
    .filter((p) => p !== '')) {
    current = join(current, part);
    chmodSync(current, 0o700);
  }
}

/**
 * Creates `path` empty if missing, and makes it (new or not) 0600 before SQLite opens it. Creating
 * the file here rather than narrowing the process umask around the open: the umask is
 * process-wide, so narrowing it would also affect whatever else the process creates meanwhile
 * (the checkpointer thread, log files), and restoring it is easy to get wrong on a throw. fchmod on
 * the open descriptor makes the mode independent of the umask.
 */
export function makePrivateFile(path: string): void {
  const fd = openSync(path, 'a', 0o600);
  try {
    fchmodSync(fd, 0o600);
  } catch (error) {
    // Another user's file (opened through group write access): its owner decides its mode.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  } finally {
    closeSync(fd);
  }
}

/** 0600 for a file that exists; a file the process does not own keeps its mode (chmod would fail). */
function restrictMode(path: string): void {
  if (!existsSync(path)) return;
  try {
    chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}
