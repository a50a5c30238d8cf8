import type { ManualClock } from '../domain/clock.js';
import type { JobsPort } from '../store/ports/jobs-port.js';
import type { Worker } from './worker.js';

/** Other scheduled work that moves with the clock (the webhook dispatcher). */
export interface DueWork {
  /** Runs everything due now; resolves with how much ran. */
  runDue(): Promise<number>;
  /** When the next piece of work falls due, or null. */
  nextDueAt(): Promise<number | null>;
}

/**
 * Moves a manual clock forward by `ms`, stopping at every job and timer due on the way and running
 * what became due before moving on. When it resolves, everything due by the new time has run, in
 * time order: a message sent, then advanced past both of its receipts, is DELIVERED, and its
 * status callbacks (and their retries) have been attempted.
 */
export async function advanceTime(
  clock: ManualClock,
  worker: Worker,
  store: JobsPort,
  ms: number,
  others: readonly DueWork[] = [],
): Promise<number> {
  const target = clock.now() + ms;
  const runAll = async (): Promise<number> => {
    let n = await worker.runDue();
    for (const o of others) n += await o.runDue();
    return n;
  };
  await runAll();
  for (;;) {
    const times = [await store.nextJobAt(), clock.nextTimerAt()];
    for (const o of others) times.push(await o.nextDueAt());
    const candidates = times.filter((t): t is number => t !== null && t <= target);
    if (candidates.length === 0) break;
    const at = Math.min(...candidates);
    const stuck = at <= clock.now();
    clock.moveTo(at);
    // Let sleepers woken by the move run before the due jobs are drained.
    await new Promise((resolve) => setImmediate(resolve));
    // Work due now that cannot run (nothing ran) must not hold time still forever.
    if ((await runAll()) === 0 && stuck) break;
  }
  clock.moveTo(target);
  await runAll();
  return clock.now();
}
