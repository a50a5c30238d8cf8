import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from 'pg';

/** Any constant works; it only has to be the same in every Tapback process (and nothing else's). */
const MIGRATION_LOCK = 0x7a9bac01;

/**
 * Applies `migrations/NNNN_name.sql` files not yet recorded in `schema_migrations`, all in one
 * transaction that first takes a transaction-level advisory lock: when several processes start
 * at once, one migrates and the others wait, then find nothing left to do. Files are
 * append-only; a recorded version is never re-run or edited.
 */
export async function migratePostgres(pool: Pool, dir: URL): Promise<number[]> {
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
    const applied = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    const ran: number[] = [];
    for (const file of files) {
      const version = Number(file.slice(0, 4));
      if (applied.has(version)) continue;
      // No parameters: the simple query protocol runs the file's statements in order.
      await client.query(readFileSync(new URL(file, dir), 'utf8'));
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        version,
        file,
        // Wall time on purpose: when the file ran, whatever clock the server is started with.
        Date.now(),
      ]);
      ran.push(version);
    }
    await client.query('COMMIT');
    return ran;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
