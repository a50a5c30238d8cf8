/**
 * Delay before retry number `attempt` (1 = after the first failure): exponential from `baseMs`,
 * capped at `maxMs`. No jitter: the sandbox must be deterministic, and jobs are already spread by
 * their acceptance times.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const exp = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(maxMs, exp);
}
