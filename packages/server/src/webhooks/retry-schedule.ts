/**
 * When webhook deliveries are attempted. The schedule (parsed with the other settings, in
 * config/setting-values.ts) lists the delay before each attempt, counted from the previous
 * attempt's failure; the first entry is the first attempt and is always 0 (immediately).
 */

/** Retry-After is honoured up to this; a longer ask is clamped rather than parking a delivery for days. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

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
