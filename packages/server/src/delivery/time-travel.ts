import type { ManualClock } from '../domain/clock.js';
import { errors } from '../domain/errors.js';
import type { JobsPort } from '../store/ports/jobs-port.js';
import type { Worker } from './worker.js';

/** Other scheduled work that moves with the clock (the webhook dispatcher). */
export interface DueWork {
  /** Runs everything due now; resolves with how much ran. */
  runDue(): Promise<number>;
  /** When the next piece of work falls due, or null. */
  nextDueAt(): Promise<number | null>;
}

/** The most due times one advance stops at; more is refused, so that one call's work stays bounded. */
export const MAX_ADVANCE_STOPS = 1_000;

export interface AdvanceOptions {
  /** Aborted when the caller gives up (its connection closed): time stays where it got to. */
  signal?: AbortSignal;
  /** Overrides MAX_ADVANCE_STOPS, for tests. */
  maxStops?: number;
}

/**
 * Moves a manual clock forward by `ms`, jumping from one due time to the next (the earliest job,
 * webhook delivery or timer) and running what became due before moving on, so that the cost is
 * in proportion to the work that falls due, not to the distance: the worker's and dispatcher's
 * idle polls are no stops (`ManualClock.idle`). When it resolves, everything due by the new time
 * has run, in time order: a message sent, then advanced past both of its receipts, is DELIVERED,
 * and its status callbacks (and their retries) have been attempted.
 *
 * More than `maxStops` due times on the way is refused with a validation error on `ms`, the clock
 * left at the last time reached, with everything due by then run.
 */
export async function advanceTime(
  clock: ManualClock,
  worker: Worker,
  store: JobsPort,
  ms: number,
  others: readonly DueWork[] = [],
  options: AdvanceOptions = {},
): Promise<number> {
  const target = clock.now() + ms;
  const maxStops = options.maxStops ?? MAX_ADVANCE_STOPS;
  const runAll = async (): Promise<number> => {
    let n = await worker.runDue();
    for (const o of others) n += await o.runDue();
    return n;
  };
  await runAll();
  for (let stops = 0; ; stops++) {
    if (options.signal?.aborted === true) return clock.now();
    const times = [await store.nextJobAt(), clock.nextTimerAt()];
    for (const o of others) times.push(await o.nextDueAt());
    const candidates = times.filter((t): t is number => t !== null && t <= target);
    if (candidates.length === 0) break;
    if (stops >= maxStops) {
      throw errors.validation(
        'ms',
        `spans more than ${maxStops} due times; the clock stopped at ${new Date(clock.now()).toISOString()} ` +
          'with everything due by then run: advance the rest in smaller steps',
      );
    }
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
