/**
 * Time as a dependency. Everything that schedules (the worker, the sandbox network, retries) reads
 * time and sleeps through a Clock, so tests and users' CI can run time by hand.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms` of this clock's time, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

interface ManualTimer {
  at: number;
  resolve: () => void;
  /** A loop's poll: woken as time passes it, but no time worth stopping at (see `idle`). */
  idle: boolean;
}

/**
 * A clock that only moves when told to. Sleepers wake in deadline order as time is moved past
 * them; `delivery/time-travel.ts` steps it together with the job queue so that everything due
 * inside an `advance` runs, in order.
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: ManualTimer[] = [];

  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.sleepUntil(ms, signal, false);
  }

  /**
   * This clock for loops whose sleeps only poll (the worker's and the dispatcher's between
   * rounds): advancing runs their work itself, so stopping at each poll deadline would make
   * advancing cost in proportion to the distance instead of to the work that falls due.
   */
  idle(): Clock {
    return { now: () => this.current, sleep: (ms, signal) => this.sleepUntil(ms, signal, true) };
  }

  private sleepUntil(ms: number, signal: AbortSignal | undefined, idle: boolean): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const timer: ManualTimer = { at: this.current + ms, resolve: () => undefined, idle };
      const done = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      timer.resolve = done;
      this.timers.push(timer);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** The earliest deadline of a sleeper other than an idle poll, if any. */
  nextTimerAt(): number | null {
    let next: number | null = null;
    for (const t of this.timers) if (!t.idle && (next === null || t.at < next)) next = t.at;
    return next;
  }

  /** Moves time to `at` (never backwards) and wakes every sleeper due by then. */
  moveTo(at: number): void {
    this.current = Math.max(this.current, at);
    for (const t of this.timers.filter((x) => x.at <= this.current)) t.resolve();
  }
}
