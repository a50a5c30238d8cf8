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
