import { Command } from 'commander';
import { databaseDialect, redactUrl, sqlitePath } from '../config/config.js';
import { findPgTool, pgDumpContents, pgRestoreArgs, runPgTool } from '../store/postgres/postgres-backup.js';
import { inspectSqliteBackup, restoreSqlite } from '../store/sqlite/sqlite-backup.js';
import { print } from './admin-store.js';
import { databaseUrlOf, shellQuote } from './backup.js';
import { CliError } from './cli-error.js';

/**
 * `tapback restore <file>`: puts a backup made by `tapback backup` back as the configured
 * database, with every server stopped. The backup is checked first (a Tapback database, sound, at
 * a migration level this version knows); an existing SQLite database is replaced only with
 * `--force`, and never while a process has it open. A server started afterwards migrates it to
 * its own level as usual.
 */
export function restoreCommand(program: Command): Command {
  return new Command('restore')
    .description('replace the database with a backup made by `tapback backup` (stop the servers first)')
    .argument('<file>', 'the backup to restore')
    .option('--force', 'replace an existing database')
    .option('--json', 'print JSON')
    .action((file: string, opts: { force?: boolean; json?: boolean }) => {
      const url = databaseUrlOf(program);
      const json = opts.json === true;
      if (databaseDialect(url) === 'postgres') return restorePostgres(url, file, opts.force === true, json);
      const target = sqlitePath(url);
      let keyFile: string | undefined;
      let level: string;
      try {
        level = inspectSqliteBackup(file).level;
        ({ keyFile } = restoreSqlite(file, target, { force: opts.force === true }));
      } catch (error) {
        throw new CliError(`nothing was restored: ${(error as Error).message}`);
      }
      print(json, { file, to: url, level, keyFile }, () => [
        `Restored ${file} (migration ${level}) into ${url}.`,
        ...(keyFile === undefined ? [] : [`Its secrets' key is in ${keyFile}.`]),
      ]);
    });
}

function restorePostgres(url: string, file: string, force: boolean, json: boolean): void {
  const args = pgRestoreArgs(url, file);
  const pgRestore = findPgTool('pg_restore', process.env.PATH);
  if (pgRestore === undefined) {
    const command = `pg_restore ${pgRestoreArgs(redactUrl(url), file).map(shellQuote).join(' ')}`;
    throw new CliError(`pg_restore is not installed here; with every server stopped, run:\n  ${command}`);
  }
  const contents = pgDumpContents(pgRestore, file);
  if (!contents.ok)
    throw new CliError(`nothing was restored: ${file} is not a pg_dump custom-format file (${contents.error})`);
  if (!/TABLE DATA \S+ schema_migrations /.test(contents.list)) {
    throw new CliError(`nothing was restored: ${file} is not a Tapback dump (it has no schema_migrations table)`);
  }
  // --clean drops every table the dump holds: only on purpose.
  if (!force) throw new CliError(`restoring replaces the tables of ${redactUrl(url)}; pass --force to do it`);
  const r = runPgTool(pgRestore, args);
  if (r.status !== 0) throw new CliError(`pg_restore failed: ${r.stderr.replaceAll(url, redactUrl(url))}`);
  print(json, { file, to: redactUrl(url), tool: pgRestore }, () => [
    `Restored ${file} into ${redactUrl(url)} with ${pgRestore}.`,
    'Start the servers with the TAPBACK_SECRET_KEY the backup was made with.',
  ]);
}
