import Database from 'better-sqlite3';

/** One table's rows as SQLite stores them (booleans 0/1, JSON as text), read in batches. */
export interface ExportedTable {
  name: string;
  columns: string[];
  batches(size: number): Iterable<Record<string, unknown>[]>;
}

/**
 * Reads every Tapback table of a SQLite file, for `tapback migrate-db`. Opened read-only, so a
 * failed migration can simply be run again.
 */
export function exportSqlite(path: string): { tables: ExportedTable[]; close(): void } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const names = (
    db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`,
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
  const tables = names.map((name): ExportedTable => {
    const columns = (db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]).map((c) => c.name);
    return {
      name,
      columns,
      *batches(size) {
        let batch: Record<string, unknown>[] = [];
        for (const row of db.prepare(`SELECT * FROM "${name}"`).iterate() as Iterable<Record<string, unknown>>) {
          batch.push(row);
          if (batch.length >= size) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length > 0) yield batch;
      },
    };
  });
  return { tables, close: () => db.close() };
}
