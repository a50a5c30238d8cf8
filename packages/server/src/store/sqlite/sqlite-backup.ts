import { copyFileSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { makePrivateFile } from './sqlite-connection.js';
import { secretKeyFilePath } from './secret-key-file.js';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

/** What a backup file holds, as `inspectSqliteBackup` found it. */
export interface SqliteBackupInfo {
  /** The newest migration applied, e.g. `0019_retention`. */
  level: string;
  /** `PRAGMA integrity_check`'s answer: `ok` for a sound file. */
  integrity: string;
  /** Rows per table, for the report. */
  rows: Record<string, number>;
}

/**
 * Copies the database at `source` into `target` while servers keep using it: `VACUUM INTO` reads
 * one snapshot (a WAL read transaction, which writers do not wait for) and writes it compacted,
 * so the copy is the database exactly as of one commit, never a mix of before and after. The
 * target is created 0600 (it holds key digests and sealed secrets) and must not exist. The key
 * file that seals the secrets, when the database has one, is copied next to the backup under the
 * same rule (`<target>.key`): without it the restored secrets could not be opened.
 */
export function backupSqlite(source: string, target: string): { keyFile: string | undefined } {
  if (!existsSync(source)) throw new Error(`no SQLite database at ${source}`);
  if (existsSync(target)) throw new Error(`${target} already exists; choose a new file name`);
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    makePrivateFile(target);
    db.prepare('VACUUM INTO ?').run(target);
  } catch (error) {
    rmSync(target, { force: true });
    throw error;
  } finally {
    db.close();
  }
  const key = secretKeyFilePath(source);
  if (!existsSync(key)) return { keyFile: undefined };
  copyPrivate(key, secretKeyFilePath(target));
  return { keyFile: secretKeyFilePath(target) };
}

/**
 * Checks that `file` is a sound Tapback SQLite database this version can run: it opens, passes
 * `PRAGMA integrity_check`, and its applied migrations are all ones this version ships (a backup
 * made by a newer Tapback is refused rather than half understood). Throws with the reason.
 */
export function inspectSqliteBackup(file: string): SqliteBackupInfo {
  if (!existsSync(file)) throw new Error(`no backup at ${file}`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new Error(`${file} is not a SQLite database (${(error as Error).message})`, { cause: error });
  }
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('; ');
    if (integrity !== 'ok') throw new Error(`${file} is damaged: integrity_check says ${integrity}`);
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    if (!tables.has('schema_migrations') || !tables.has('accounts') || !tables.has('messages')) {
      throw new Error(`${file} is not a Tapback database (no schema_migrations, accounts or messages table)`);
    }
    const applied = (db.prepare('SELECT name FROM schema_migrations ORDER BY version').all() as { name: string }[]).map(
      (r) => r.name,
    );
    const known = new Set(readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')));
    const unknown = applied.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new Error(
        `${file} was made by a newer Tapback (migrations ${unknown.join(', ')} are unknown to this version)`,
      );
    }
    const rows: Record<string, number> = {};
    for (const table of [...tables].filter((t) => !t.startsWith('sqlite_')).sort()) {
      rows[table] = (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
    }
    return { level: applied.at(-1)?.replace(/\.sql$/, '') ?? '', integrity, rows };
  } finally {
    db.close();
  }
}

/**
 * Puts the backup `file` in place of the database at `target`, which no process may have open: a
 * running server holds a connection, and then taking the database's exclusive lock fails, which
 * is how a server still running is detected. The backup is copied beside the target and renamed
 * over it (the target is never half-written), and the target's old `-wal`/`-shm` are removed: a
 * stale WAL would otherwise be replayed into the restored file. The backup's key file, when it has
 * one, replaces the target's: the restored secrets were sealed with it.
 */
export function restoreSqlite(
  file: string,
  target: string,
  options: { force: boolean },
): { keyFile: string | undefined } {
  if (existsSync(target)) {
    if (!options.force) throw new Error(`${target} already exists; pass --force to replace it`);
    assertNotInUse(target);
  }
  const temporary = `${target}.restoring-${process.pid}`;
  copyPrivate(file, temporary);
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(temporary, target);
  const key = secretKeyFilePath(file);
  if (!existsSync(key)) return { keyFile: undefined };
  copyPrivate(key, secretKeyFilePath(target));
  return { keyFile: secretKeyFilePath(target) };
}

/** Throws when another connection (a running server, a CLI command) has the database open. */
function assertNotInUse(path: string): void {
  const db = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    // An exclusive-mode connection needs locks that any other open WAL connection holds, even an
    // idle one: a server that is running (idle or not) makes this fail with SQLITE_BUSY at once.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(`${path} is in use (a server or another command has it open); stop it first`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    db.close();
  }
}

function copyPrivate(from: string, to: string): void {
  makePrivateFile(to);
  copyFileSync(from, to);
}
