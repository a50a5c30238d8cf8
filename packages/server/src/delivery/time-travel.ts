import type { ManualClock } from '../domain/clock.js';
import type { Store } from '../store/store.js';
import type { Worker } from './worker.js';

/**
 * Moves a manual clock forward by `ms`, stopping at every job and timer due on the way and running
 * what became due before moving on. When it resolves, everything due by the new time has run, in
 * time order: a message sent, then advanced past both of its receipts, is DELIVERED.
 */
export async function advanceTime(clock: ManualClock, worker: Worker, store: Store, ms: number): Promise<number> {
  const target = clock.now() + ms;
  await worker.runDue();
  for (;;) {
    const candidates = [await store.nextJobAt(), clock.nextTimerAt()].filter(
      (t): t is number => t !== null && t <= target,
    );
    if (candidates.length === 0) break;
    clock.moveTo(Math.min(...candidates));
    // Let sleepers woken by the move run before the due jobs are drained.
    await new Promise((resolve) => setImmediate(resolve));
    await worker.runDue();
  }
  clock.moveTo(target);
  await worker.runDue();
  return clock.now();
}
