import type { Command } from 'commander';
import type { Line } from '../domain/account.js';
import { AppError } from '../domain/errors.js';
import { parsePhone } from '../domain/phone.js';
import { DEFAULT_FALLBACK_AFTER_MS, servicesOfKind } from '../delivery/router.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import { CliError } from './cli-error.js';

/** `--fallback-line` / `--fallback-after` as commander gives them. */
export interface RouteOptions {
  fallbackLine?: string;
  fallbackAfter?: string;
}

/** Longest fallback window: a day (a message waiting longer for iMessage has gone stale). */
const MAX_FALLBACK_AFTER_MS = 86_400_000;

export const routeOptions = (command: Command): Command =>
  command
    .option(
      '--fallback-line <number>',
      'the line (same account, a network that carries SMS) that sends this line’s SMS; `none` clears it',
    )
    .option(
      '--fallback-after <duration>',
      `how long an iMessage send waits for a delivery before going by SMS: 60s, 2m, 1500ms or plain ms (default ${DEFAULT_FALLBACK_AFTER_MS / 1000}s)`,
    );

export function hasRouteOptions(opts: RouteOptions): boolean {
  return opts.fallbackLine !== undefined || opts.fallbackAfter !== undefined;
}

/** `60s`, `2m`, `1500ms` or a plain number of ms, as ms. */
export function parseDuration(raw: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(raw.trim());
  if (match === null) throw new CliError(`--fallback-after: "${raw}" is not a duration (60s, 2m, 1500ms or plain ms)`);
  const ms = Number(match[1]) * (match[2] === 'm' ? 60_000 : match[2] === 's' ? 1000 : 1);
  if (ms < 1 || ms > MAX_FALLBACK_AFTER_MS) {
    throw new CliError(`--fallback-after: must be between 1 ms and ${MAX_FALLBACK_AFTER_MS / 3_600_000} hours`);
  }
  return ms;
}

/** A window in ms as the CLI shows it: `60s`, `1500ms`. */
export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Applies `--fallback-line`/`--fallback-after` to `line` (unchanged where not given), after checking
 * the fallback line: it exists, belongs to the same account, is not the line itself, and its
 * provider carries SMS.
 */
export async function applyRouteOptions(
  store: Pick<LinesPort, 'findLine' | 'setLineRoute'>,
  line: Line,
  opts: RouteOptions,
): Promise<Line> {
  let fallbackLine = line.fallbackLine ?? null;
  if (opts.fallbackLine !== undefined) {
    fallbackLine = opts.fallbackLine === 'none' ? null : await checkFallbackLine(store, line, opts.fallbackLine);
  }
  const fallbackAfterMs =
    opts.fallbackAfter === undefined ? (line.fallbackAfterMs ?? null) : parseDuration(opts.fallbackAfter);
  const updated = await store.setLineRoute({ number: line.number, fallbackLine, fallbackAfterMs, now: Date.now() });
  if (updated === undefined) throw new CliError(`no line ${line.number}`);
  return updated;
}

async function checkFallbackLine(store: Pick<LinesPort, 'findLine'>, line: Line, raw: string): Promise<string> {
  let number: string;
  try {
    number = parsePhone(raw, 'fallback_line');
  } catch (error) {
    throw new CliError(`--fallback-line: ${error instanceof AppError ? error.message : String(error)}`);
  }
  if (number === line.number) throw new CliError('--fallback-line: a line cannot be its own fallback line');
  const fallback = await store.findLine(number);
  // Another account's line is reported as missing, as the API does.
  if (fallback === undefined || fallback.accountId !== line.accountId) {
    throw new CliError(`--fallback-line: no line ${number} in account ${line.accountEmail}`);
  }
  if (!servicesOfKind(fallback.provider).includes('SMS')) {
    throw new CliError(`--fallback-line: line ${number} (${fallback.provider}) does not carry SMS`);
  }
  return number;
}

/** How `tapback lines list` shows a line's SMS fallback: `+1… after 60s`, or `-` when none is named. */
export function describeRoute(line: Pick<Line, 'fallbackLine' | 'fallbackAfterMs'>): string {
  const fallback = line.fallbackLine ?? null;
  if (fallback === null) return '-';
  return `${fallback} after ${formatDuration(line.fallbackAfterMs ?? DEFAULT_FALLBACK_AFTER_MS)}`;
}
