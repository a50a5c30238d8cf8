import { readdirSync } from 'node:fs';

/**
 * The newest migration this build ships, named as `Store.migrationLevel()` names the newest
 * applied one (e.g. `0013_tokens_seats_location`). Both dialects ship the same file names.
 */
export function shippedMigrationLevel(): string {
  const files = readdirSync(new URL('./sqlite/migrations/', import.meta.url))
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  return files.at(-1)?.replace(/\.sql$/, '') ?? '';
}

/** Whether a database at `applied` has every migration of `shipped` (a newer build's count too). */
export function migrationsApplied(applied: string, shipped: string): boolean {
  return applied.slice(0, 4) >= shipped.slice(0, 4);
}
