/**
 * When webhook deliveries are attempted. The schedule lists the delay before each attempt,
 * counted from the previous attempt's failure; the first entry is the first attempt and is always
 * 0 (immediately). The default makes 8 attempts over about 28 hours, as Svix and Standard
 * Webhooks recommend: 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
 */
export const DEFAULT_RETRY_SCHEDULE = '0,5s,5m,30m,2h,5h,10h,10h';

/** Retry-After is honoured up to this; a longer ask is clamped rather than parking a delivery for days. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `5s`, `5m`, `2h`, `1d`; a bare number is milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (m === null) throw new Error(`"${text}" is not a duration like 5s, 5m or 2h`);
  return Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1);
}

export function parseRetrySchedule(text: string): number[] {
  const delays = text.split(',').map(parseDuration);
  if (delays.length === 0 || delays.length > 50) throw new Error('the schedule needs 1 to 50 entries');
  if (delays[0] !== 0) throw new Error('the first entry is the first attempt and must be 0');
  return delays;
}

/**
 * When to try again after `attemptsMade` failed attempts, or null when the schedule is used up.
 * A Retry-After from the receiver (429/503) is a floor: never sooner than it asked, nor sooner
 * than the schedule says.
 */
export function nextAttemptAt(
  schedule: readonly number[],
  attemptsMade: number,
  failedAt: number,
  retryAfterMs?: number,
): number | null {
  const delay = schedule[attemptsMade];
  if (delay === undefined) return null;
  return failedAt + Math.max(delay, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** A Retry-After header (delta seconds or an HTTP date) in milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
