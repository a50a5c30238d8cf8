import { Command } from 'commander';
import { databaseDialect, databaseLocation, loadConfig, redactUrl, sqlitePath } from '../config/config.js';
import { openStore } from '../store/open-store.js';
import { importIntoPostgres } from '../store/postgres/postgres-transfer.js';
import { loadOrCreateSecretKey, secretKeyFilePath } from '../store/sqlite/secret-key-file.js';
import { exportSqlite } from '../store/sqlite/sqlite-transfer.js';
import { print } from './admin-store.js';
import { CliError } from './cli-error.js';
import { tableProgress } from './progress.js';

/**
 * `tapback migrate-db --from sqlite:./data/tapback.db --to postgres://...`: copies everything
 * (accounts, keys, lines, messages, queued jobs, idempotency keys, webhooks and their log) into
 * an empty PostgreSQL database, ids included, in one transaction. Stop the servers first: rows
 * written to the SQLite file during the copy would not be copied.
 */
export function migrateDbCommand(): Command {
  return new Command('migrate-db')
    .description('copy a SQLite database into an empty PostgreSQL database')
    .requiredOption('--from <url>', 'the SQLite database, sqlite:<file>')
    .requiredOption('--to <url>', 'the PostgreSQL database, postgres://user:pass@host:5432/db (must be empty)')
    .option('--json', 'print JSON')
    .option('--progress', 'print rows copied per table on stderr (the default on a terminal)')
    .action(async (opts: { from: string; to: string; json?: boolean; progress?: boolean }) => {
      if (databaseDialect(opts.from) !== 'sqlite')
        throw new CliError(`--from must be a sqlite: URL, not "${opts.from}"`);
      if (databaseDialect(opts.to) !== 'postgres') {
        throw new CliError(`--to must be a postgres:// URL, not "${redactUrl(opts.to)}"`);
      }
      // Secrets are copied sealed, so PostgreSQL must be opened (now and by its servers later) with
      // the key that sealed them: TAPBACK_SECRET_KEY if set, else the SQLite database's key file.
      const configured = loadConfig({ flags: { 'database-url': opts.from }, env: process.env }).secretKey;
      const secretKey = configured ?? loadOrCreateSecretKey(sqlitePath(opts.from));
      // Both sides at this version's schema first, so their tables and columns match.
      for (const url of [opts.from, opts.to]) await (await openStore(databaseLocation(url), { secretKey })).close();
      const source = exportSqlite(sqlitePath(opts.from));
      let counts: Map<string, number>;
      const progress = tableProgress(opts.progress === true || (process.stderr.isTTY === true && opts.json !== true));
      try {
        counts = await importIntoPostgres(opts.to, source.tables, (table, rows) => progress.update(table, rows));
        progress.done();
      } catch (error) {
        progress.done();
        throw new CliError(`nothing was copied: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        source.close();
      }
      const copied = Object.fromEntries(counts);
      const keyFrom = configured === undefined ? secretKeyFilePath(sqlitePath(opts.from)) : 'TAPBACK_SECRET_KEY';
      print(opts.json === true, { from: opts.from, to: redactUrl(opts.to), copied, secretKeyFrom: keyFrom }, () => [
        `Copied ${opts.from} into ${redactUrl(opts.to)}:`,
        ...[...counts].map(([table, n]) => `  ${table.padEnd(20)} ${n}`),
        `Secrets were copied encrypted: run every process on PostgreSQL with TAPBACK_SECRET_KEY set to the key in ${keyFrom}.`,
      ]);
    });
}
