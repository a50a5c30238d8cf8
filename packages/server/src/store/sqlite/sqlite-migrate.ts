import { readdirSync, readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';

/**
 * Applies `migrations/NNNN_name.sql` files not yet recorded in `schema_migrations`, each in its
 * own transaction. Files are append-only; a recorded version is never re-run or edited.
 */
export function migrateSqlite(db: Database.Database, dir: URL): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const ran: number[] = [];
  for (const file of files) {
    const version = Number(file.slice(0, 4));
    if (applied.has(version)) continue;
    const sql = readFileSync(new URL(file, dir), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        version,
        file,
        // Wall time on purpose: when the file ran, whatever clock the server is started with.
        Date.now(),
      );
    }).immediate();
    ran.push(version);
  }
  return ran;
}
