import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * PostgreSQL's own backup tools, `pg_dump` and `pg_restore`, found on `path` (the `PATH` the
 * caller passes) or in Debian's `/usr/lib/postgresql/<version>/bin`, newest first. Tapback does not
 * reimplement them: a custom-format dump is consistent (one snapshot) while servers keep writing.
 */
export function findPgTool(tool: 'pg_dump' | 'pg_restore', path: string | undefined): string | undefined {
  const dirs = (path ?? '').split(delimiter).filter((d) => d !== '');
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  return dirs.map((d) => join(d, tool)).find((p) => existsSync(p));
}

/** The arguments of a dump of `url` into `file` (custom format: compressed, restorable with pg_restore). */
export function pgDumpArgs(url: string, file: string): string[] {
  return ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${url}`];
}

/** The arguments of a restore of `file` into `url`, dropping what the dump recreates first. */
export function pgRestoreArgs(url: string, file: string): string[] {
  return ['--clean', '--if-exists', '--no-owner', '--single-transaction', `--dbname=${url}`, file];
}

/**
 * The table of contents of a custom-format dump, or the reason it has none: the restore checks
 * that a file is a Tapback dump (it holds `schema_migrations`) before touching the database.
 */
export function pgDumpContents(
  pgRestore: string,
  file: string,
): { ok: true; list: string } | { ok: false; error: string } {
  const r = spawnSync(pgRestore, ['--list', file], { encoding: 'utf8' });
  if (r.status !== 0) return { ok: false, error: (r.stderr || r.error?.message || 'pg_restore --list failed').trim() };
  return { ok: true, list: r.stdout };
}

/** Runs a tool to completion, its output passed through; the exit code. */
export function runPgTool(tool: string, args: string[]): { status: number; stderr: string } {
  const r = spawnSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  return { status: r.status ?? 1, stderr: (r.stderr ?? r.error?.message ?? '').trim() };
}
