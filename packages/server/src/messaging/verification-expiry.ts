import type { Clock } from '../domain/clock.js';
import type { VerifyOperations } from './verify.js';

/** How many verifications one round expires; the next round follows at once while more are due. */
const BATCH = 500;
const MIN_SLEEP_MS = 10;

/**
 * Expires verifications whose window has passed, so `verification.expired` is published even when
 * nobody reads them (reads expire their account's due ones too; each expiry is reported once,
 * by whichever does it first). The loop sleeps until the earliest pending expiry, at most
 * `maxSleepMs` (verifications created by another process sharing the database), and is woken
 * early by `notify` when this process creates one. With a manual clock it sleeps on the idle
 * clock and time travel runs it through `runDue` / `nextDueAt`.
 */
export class VerificationExpiry {
  private controller: AbortController | undefined;
  private wake: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      verify: VerifyOperations;
      /** The clock of the loop's sleeps (a manual clock's idle view). */
      pollClock: Clock;
      maxSleepMs: number;
      onError: (error: unknown) => void;
    },
  ) {}

  /** Expires everything due now; resolves with how many. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.deps.verify.expireDue(BATCH);
      total += n;
      if (n < BATCH) return total;
    }
  }

  nextDueAt(): Promise<number | null> {
    return this.deps.verify.nextExpiryAt();
  }

  /** A verification was created: its expiry may come before the loop's next wake-up. */
  notify(): void {
    this.wake?.abort();
  }

  start(): void {
    if (this.loop !== undefined) return;
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.run(controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    this.wake?.abort();
    await this.loop;
    this.loop = undefined;
    this.controller = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const clock = this.deps.pollClock;
    while (!signal.aborted) {
      const wake = new AbortController();
      this.wake = wake;
      let sleepMs = this.deps.maxSleepMs;
      try {
        await this.runDue();
        const next = await this.nextDueAt();
        // The floor keeps a store that keeps reporting a past expiry from spinning the loop.
        if (next !== null) sleepMs = Math.max(MIN_SLEEP_MS, Math.min(sleepMs, next - clock.now()));
      } catch (error) {
        this.deps.onError(error);
      }
      if (signal.aborted) return;
      await clock.sleep(sleepMs, AbortSignal.any([signal, wake.signal]));
    }
  }
}
