/**
 * Every retry rule in one place, the same rules as the official Sendblue SDKs: connection errors
 * and timeouts, 408, 409, 429 and any 5xx are retried; the server's `x-should-retry: true|false`
 * overrides that; the wait comes from `retry-after-ms` or `Retry-After` (seconds or an HTTP
 * date) when the server sends one, else exponential backoff with jitter.
 */

export const DEFAULT_MAX_RETRIES = 2;

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A server-requested wait longer than this is ignored in favour of the backoff, as the Python SDK does. */
const MAX_RETRY_AFTER_MS = 60_000;

/** How an attempt ended, as far as retrying is concerned. */
export type AttemptOutcome =
  | { kind: 'response'; status: number; headers: Headers }
  /** No (complete) response: refused, reset, dropped or timed out. */
  | { kind: 'no-response' };

export interface RetryContext {
  /** Retries already made for this call (0 after the first attempt). */
  retriesDone: number;
  maxRetries: number;
  /** Injected for tests. */
  random?: () => number;
  now?: () => number;
}

/**
 * Decides whether a failed attempt is retried: the milliseconds to wait before the next attempt,
 * or `undefined` to give up and report the failure. Only called for attempts that failed (no
 * response, or a status outside 2xx).
 */
export function retryDelayMs(outcome: AttemptOutcome, context: RetryContext): number | undefined {
  if (context.retriesDone >= context.maxRetries) return undefined;
  if (outcome.kind === 'response' && !isRetryable(outcome.status, outcome.headers)) return undefined;
  const requested =
    outcome.kind === 'response' ? requestedDelayMs(outcome.headers, context.now ?? Date.now) : undefined;
  return requested ?? backoffMs(context.retriesDone, context.random ?? Math.random);
}

function isRetryable(status: number, headers: Headers): boolean {
  const override = headers.get('x-should-retry');
  if (override === 'true') return true;
  if (override === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The wait the server asked for, if it asked for one within bounds. */
function requestedDelayMs(headers: Headers, now: () => number): number | undefined {
  let ms: number | undefined;
  const afterMs = headers.get('retry-after-ms');
  if (afterMs !== null && afterMs.trim() !== '' && Number.isFinite(Number(afterMs))) ms = Number(afterMs);
  const after = headers.get('retry-after');
  if (ms === undefined && after !== null && after.trim() !== '') {
    if (Number.isFinite(Number(after))) {
      ms = Number(after) * 1000;
    } else {
      const at = Date.parse(after);
      if (!Number.isNaN(at)) ms = Math.max(0, at - now());
    }
  }
  if (ms === undefined || ms < 0 || ms > MAX_RETRY_AFTER_MS) return undefined;
  return ms;
}

/** 0.5 s, 1 s, 2 s ... capped at 8 s, each shortened by up to 25 % at random so clients spread out. */
function backoffMs(retriesDone: number, random: () => number): number {
  const base = Math.min(INITIAL_DELAY_MS * 2 ** retriesDone, MAX_DELAY_MS);
  return base * (1 - random() * 0.25);
}
