import { Command } from 'commander';
import { databaseDialect, loadConfig, redactUrl, sqlitePath } from '../config/config.js';
import { findPgTool, pgDumpArgs, runPgTool } from '../store/postgres/postgres-backup.js';
import { backupSqlite, inspectSqliteBackup } from '../store/sqlite/sqlite-backup.js';
import { print } from './admin-store.js';
import { CliError } from './cli-error.js';

/**
 * `tapback backup <file>`: a consistent copy of the configured database, taken while servers keep
 * serving. SQLite: one snapshot written with `VACUUM INTO`, checked, plus the key file that seals
 * its secrets (`<file>.key`). PostgreSQL: `pg_dump --format=custom` when it is installed, else
 * the exact command to run.
 */
export function backupCommand(program: Command): Command {
  return new Command('backup')
    .description('copy the database into <file> while the server keeps running (restore it with `tapback restore`)')
    .argument('<file>', 'the backup to write; must not exist')
    .option('--json', 'print JSON')
    .action((file: string, opts: { json?: boolean }) => {
      const url = databaseUrlOf(program);
      const json = opts.json === true;
      if (databaseDialect(url) === 'postgres') return backupPostgres(url, file, json);
      let keyFile: string | undefined;
      try {
        ({ keyFile } = backupSqlite(sqlitePath(url), file));
      } catch (error) {
        throw new CliError(`no backup was written: ${(error as Error).message}`);
      }
      const info = inspectSqliteBackup(file);
      print(json, { file, from: url, level: info.level, integrity: info.integrity, rows: info.rows, keyFile }, () => [
        `Backed up ${url} into ${file} (migration ${info.level}, integrity ${info.integrity}):`,
        ...Object.entries(info.rows).map(([table, n]) => `  ${table.padEnd(22)} ${n}`),
        keyFile === undefined
          ? 'Secrets are sealed with TAPBACK_SECRET_KEY: keep that key with the backup.'
          : `The key that seals its secrets is in ${keyFile}: keep the two files together, and private.`,
      ]);
    });
}

function backupPostgres(url: string, file: string, json: boolean): void {
  const args = pgDumpArgs(url, file);
  const pgDump = findPgTool('pg_dump', process.env.PATH);
  if (pgDump === undefined) {
    const command = `pg_dump ${pgDumpArgs(redactUrl(url), file).map(shellQuote).join(' ')}`;
    throw new CliError(
      `pg_dump is not installed here; run it where it is (same major version as the server, or newer):\n  ${command}`,
    );
  }
  const r = runPgTool(pgDump, args);
  if (r.status !== 0) throw new CliError(`pg_dump failed: ${r.stderr.replaceAll(url, redactUrl(url))}`);
  print(json, { file, from: redactUrl(url), tool: pgDump }, () => [
    `Backed up ${redactUrl(url)} into ${file} with ${pgDump} (custom format).`,
    'The secrets in it are sealed with TAPBACK_SECRET_KEY: keep that key with the backup.',
  ]);
}

/** The `DATABASE_URL` the command acts on: the global flag, else the environment, else the default. */
export function databaseUrlOf(program: Command): string {
  const flags = program.opts<{ databaseUrl?: string }>();
  return loadConfig({ flags: { 'database-url': flags.databaseUrl }, env: process.env }).databaseUrl;
}

/** `arg` as one word of a POSIX shell command line. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
