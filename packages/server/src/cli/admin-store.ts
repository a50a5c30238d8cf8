import type { Command } from 'commander';
import { databaseLocation, loadConfig } from '../config/config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

/**
 * Opens the configured database for an administrative command. SQLite in WAL mode allows this
 * while a server runs on the same file.
 */
export async function withStore<T>(program: Command, run: (store: Store) => Promise<T>): Promise<T> {
  const flags = program.opts<{ databaseUrl?: string }>();
  const config = loadConfig({ flags: { 'database-url': flags.databaseUrl }, env: process.env });
  const store = await openStore(databaseLocation(config.databaseUrl), { secretKey: config.secretKey });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/**
 * Prints `value` as JSON when `--json` was given, else the human lines. Times (`createdAt`,
 * `revokedAt`, ... held as epoch milliseconds) print as ISO 8601, as the API shows them.
 */
export function print(json: boolean, value: unknown, human: () => string[]): void {
  const text = json ? JSON.stringify(value, isoTimes, 2) : human().join('\n');
  process.stdout.write(`${text}\n`);
}

function isoTimes(key: string, value: unknown): unknown {
  return /At$/.test(key) && typeof value === 'number' ? new Date(value).toISOString() : value;
}

/** A listing for people: a header row, then one row per item, columns separated by tabs. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [header, ...rows].map((cells) => cells.join('\t'));
}
