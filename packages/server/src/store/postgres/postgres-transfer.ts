import { createPool, inTransaction } from './postgres-connection.js';

/** A table to copy: its columns and its rows in batches (any backend's export has this shape). */
export interface TableRows {
  name: string;
  columns: string[];
  batches(size: number): Iterable<Record<string, unknown>[]>;
}

/** Parents before children, so foreign keys hold at every insert; later tables follow. */
const ORDER = [
  'accounts',
  'api_keys',
  'lines',
  'messages',
  'jobs',
  'idempotency_keys',
  'webhook_settings',
  'webhook_endpoints',
  'webhook_deliveries',
  'webhook_attempts',
];

/**
 * Copies exported tables into a migrated, empty PostgreSQL database in one transaction (all or
 * nothing), ids included, then moves every identity sequence past the copied ids. Values are
 * converted by `json_populate_recordset`, which reads 0/1 as booleans; JSON kept as text in
 * SQLite is parsed so that it lands in jsonb as JSON, not as a string.
 */
export async function importIntoPostgres(
  url: string,
  tables: readonly TableRows[],
  onProgress: (table: string, rows: number) => void = () => undefined,
): Promise<Map<string, number>> {
  const pool = createPool(url, 1);
  try {
    return await inTransaction(pool, async (c) => {
      const sorted = tables.filter((t) => !DERIVED.has(t.name)).sort((a, b) => rank(a.name) - rank(b.name));
      const counts = new Map<string, number>();
      for (const t of sorted) {
        const cols = await c.query<{ column_name: string; data_type: string }>(
          `SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1`,
          [t.name],
        );
        if (cols.rowCount === 0) throw new Error(`table ${t.name} does not exist in the PostgreSQL database`);
        const existing = await c.query(`SELECT 1 FROM "${t.name}" LIMIT 1`);
        if (existing.rowCount !== 0) throw new Error(`table ${t.name} is not empty: migrate into an empty database`);
        const known = new Set(cols.rows.map((r) => r.column_name));
        const missing = t.columns.filter((col) => !known.has(col));
        if (missing.length > 0) throw new Error(`${t.name}: PostgreSQL has no column ${missing.join(', ')}`);
        const json = new Set(cols.rows.filter((r) => r.data_type === 'jsonb').map((r) => r.column_name));
        const list = t.columns.map((col) => `"${col}"`).join(', ');
        let n = 0;
        for (const batch of t.batches(1000)) {
          const rows = batch.map((row) =>
            Object.fromEntries(
              Object.entries(row).map(([k, v]) => [
                k,
                // A BLOB (media bytes) goes as bytea's hex text form, which json_populate_recordset reads.
                json.has(k) && typeof v === 'string'
                  ? JSON.parse(v)
                  : Buffer.isBuffer(v)
                    ? `\\x${v.toString('hex')}`
                    : v,
              ]),
            ),
          );
          await c.query(
            `INSERT INTO "${t.name}" (${list}) SELECT ${list} FROM json_populate_recordset(NULL::"${t.name}", $1::json)`,
            [JSON.stringify(rows)],
          );
          n += rows.length;
          onProgress(t.name, n);
        }
        // Only an identity `id` has a sequence to move past the copied rows (some tables' ids are text).
        const sequence = known.has('id')
          ? (
              (await c.query(`SELECT pg_get_serial_sequence($1, 'id') AS seq`, [t.name])).rows[0] as {
                seq: string | null;
              }
            ).seq
          : null;
        if (sequence !== null) {
          await c.query(`SELECT setval($1, (SELECT coalesce(max(id), 0) + 1 FROM "${t.name}"), false)`, [sequence]);
        }
        counts.set(t.name, n);
      }
      return counts;
    });
  } finally {
    await pool.end();
  }
}

/** Kept by triggers as the rows above are copied (migrations/0004_message_counts.sql): never copied. */
const DERIVED = new Set([
  'message_counts',
  // Rebuilt by the triggers of migrations 0021 and 0022 as messages are copied (the status history
  // starts again from each message's current status); SQLite's FTS5 index and its own tables are
  // PostgreSQL's expression index there.
  'conversations',
  'message_status_history',
  'messages_fts',
  'messages_fts_data',
  'messages_fts_idx',
  'messages_fts_docsize',
  'messages_fts_config',
]);

function rank(table: string): number {
  const i = ORDER.indexOf(table);
  return i === -1 ? ORDER.length : i;
}
