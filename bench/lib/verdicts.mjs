// The rules that turn measurements into "met" or "MISSED", kept apart from the scenarios that
// measure so that packages/server/test/bench-verdicts.test.ts can hold them to their labels.

/**
 * Whether two answers have the same shape: the same fields in the same order, and the same size
 * in bytes (values differ: handles, dates).
 */
export function sameShape(ours, theirs) {
  const a = Object.keys(JSON.parse(ours));
  const b = Object.keys(JSON.parse(theirs));
  if (a.join(',') !== b.join(',')) {
    return { same: false, why: `fields differ: ${a.length} [${a.join(', ')}] vs ${b.length} [${b.join(', ')}]` };
  }
  const [x, y] = [Buffer.byteLength(ours), Buffer.byteLength(theirs)];
  if (x !== y) return { same: false, why: `sizes differ: ${x} vs ${y} bytes` };
  return { same: true, why: '' };
}

/**
 * The soak row: memory bounded and flat, and the server kept up with what was offered for the
 * whole soak. A run that dropped most of its load, or ended with a growing backlog, held little
 * load and says nothing about memory under the offered rate.
 */
export function soakMet({ peakMiB, growthMiB }, held, rate) {
  return (
    peakMiB !== null &&
    peakMiB * 1.048576 <= 250 &&
    growthMiB < 10 &&
    held.flatBacklog === true &&
    held.droppedByClient === 0 &&
    held.acceptedPerSec >= rate * 0.98
  );
}

/** The end-to-end scenario's figure against the ceiling measured in the same run. */
export function e2eRatio(deliveredPerSec, ceilingPerSec) {
  return ceilingPerSec > 0 ? Number((deliveredPerSec / ceilingPerSec).toFixed(3)) : null;
}

/**
 * The e2e full-rate row, offered at (or above) the ceiling: met when Tapback delivered at least 0.8
 * of the ceiling measured in the same run and held that pace for the whole run, not only while its
 * backlog was young. Offered at the ceiling, a server at 0.8 of it leaves the other 0.2 to pile up,
 * so the backlog (accepted minus DELIVERED callbacks) may grow that fast and no faster: its growth
 * per second from a tenth into the run to the end must stay within what was accepted beyond 0.8 of
 * the ceiling. A run with failed requests, or with no ceiling, is missed.
 */
export function e2eFullMet(full, ceilingPerSec) {
  if (!(ceilingPerSec > 0) || full.errors > 0) return false;
  const floor = 0.8 * ceilingPerSec;
  return full.deliveredPerSec >= floor && full.backlogSlopePerS <= Math.max(0, full.acceptedPerSec - floor);
}

/** The latency row: below capacity (a flat backlog, nothing dropped), p99 within 100 ms. */
export function e2eLatencyMet(run) {
  return run.latencyP99Ms <= 100 && run.flatBacklog === true && run.droppedByClient === 0 && run.errors === 0;
}
