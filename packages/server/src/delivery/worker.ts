import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import { Batcher } from '../lib/batcher.js';
import { newHandle } from '../domain/ids.js';
import type { Message } from '../domain/message.js';
import type { ClaimedJob, ContactReply, FollowUp, JobOutcome, StatusPatch } from '../domain/job.js';
import type { JobsPort } from '../store/ports/jobs-port.js';
import { backoffDelay } from './backoff.js';
import type { MessageEvents } from './message-events.js';
import type { ProviderRegistry, ProviderResult } from './providers/provider.js';

export interface WorkerSettings {
  /** Jobs claimed per round trip. */
  batchSize: number;
  /** How long a claim lasts; a job whose worker died is claimed again after this. */
  leaseMs: number;
  /** Delivery attempts before a transiently failing message ends in ERROR. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Longest sleep between checks when nothing wakes the worker (other processes' jobs). */
  pollMs: number;
  /** A provider call running longer than this is aborted and counted as a transient failure. */
  providerTimeoutMs: number;
}

export interface WorkerDeps {
  store: JobsPort;
  clock: Clock;
  /**
   * What the loop's sleeps between rounds run on; defaults to `clock`. A manual clock's idle view
   * (`ManualClock.idle`), so that advancing it does not stop at every poll.
   */
  pollClock?: Clock;
  providers: ProviderRegistry;
  events: MessageEvents;
  logger: Logger;
  settings: WorkerSettings;
  /**
   * Receives a simulated contact's reply (the sandbox echo contact) to `cause`, idempotently by
   * the reply's handle. Without it, replies are dropped.
   */
  onContactReply?: (reply: ContactReply, cause: Message) => Promise<void>;
}

/**
 * The delivery loop: claim due jobs, call providers, record outcomes. Supervised: a failing job or
 * provider never stops the loop; errors are recorded on the job and retried on schedule.
 */
export class Worker {
  readonly id = `worker-${randomUUID()}`;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wake = new AbortController();
  private sleeping = false;
  /** Set by `notify`; a round that saw new work skips its sleep. */
  private pending = false;
  private stopSignal = new AbortController();
  /** Serialises rounds so the loop and `runDue` callers never claim concurrently. */
  private round: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: WorkerDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopSignal = new AbortController();
    this.loopDone = this.loop();
  }

  /** Finishes the jobs in hand (claiming no more), then stops. Idempotent: every call waits. */
  async stop(): Promise<void> {
    if (this.running) {
      this.running = false;
      this.stopSignal.abort();
      this.wake.abort();
    }
    await this.loopDone;
    // A round started through runDue (time travel) may still be finishing its jobs.
    await this.round;
  }

  /** New work was committed: skip the rest of the current sleep. */
  notify(): void {
    this.pending = true;
    // Only a sleeping loop needs waking; aborting costs an exception object per call.
    if (this.sleeping) this.wake.abort();
  }

  /** Processes every job due now, round after round, until none is left. Returns how many. */
  runDue(): Promise<number> {
    const next = this.round.then(() => this.drain());
    this.round = next.catch(() => undefined);
    return next;
  }

  private async loop(): Promise<void> {
    const { store, clock, logger, settings } = this.deps;
    const poll = this.deps.pollClock ?? clock;
    while (this.running) {
      this.wake = new AbortController();
      this.pending = false;
      try {
        await this.runDue();
        const next = await store.nextJobAt();
        const wait = next === null ? settings.pollMs : Math.min(settings.pollMs, Math.max(0, next - clock.now()));
        if (wait > 0 && this.running && !this.pending) {
          this.sleeping = true;
          await poll.sleep(wait, this.wake.signal);
          this.sleeping = false;
        }
      } catch (error) {
        logger.error({ err: error }, 'delivery round failed; retrying shortly');
        await poll.sleep(Math.min(settings.pollMs, 1000), this.stopSignal.signal);
      }
    }
  }

  /**
   * Keeps up to `batchSize` jobs in flight. Claims are batched; outcomes are recorded as they
   * complete, group-committed (all outcomes of one event-loop turn in one transaction), so a
   * slow provider call never holds back the recording of fast ones.
   */
  private async drain(): Promise<number> {
    const { store, clock, settings } = this.deps;
    const inFlight = new Set<Promise<void>>();
    let total = 0;
    for (;;) {
      if (inFlight.size >= settings.batchSize) {
        await Promise.race(inFlight);
        continue;
      }
      const now = clock.now();
      // Once stopping, only the jobs in hand are finished; the rest wait for the next start.
      const claimed = this.stopSignal.signal.aborted
        ? []
        : await store.claimJobs({
            now,
            limit: settings.batchSize - inFlight.size,
            leaseUntil: now + settings.leaseMs,
            workerId: this.id,
          });
      if (claimed.length === 0) {
        if (inFlight.size === 0) return total;
        // Finishing jobs may schedule follow-ups that are due at once (zero sandbox delays).
        await Promise.race(inFlight);
        continue;
      }
      total += claimed.length;
      // One deadline per claim (a timer per job would cost more), on the injected clock.
      const deadline = providerDeadline(clock, settings.providerTimeoutMs);
      const processing = claimed.map((c) => this.process(c, deadline));
      void Promise.allSettled(processing).then(deadline.cancel);
      for (const [i, c] of claimed.entries()) {
        const task: Promise<void> = processing[i]!.then((outcome) => this.finisher.submit(outcome))
          .catch((error: unknown) =>
            this.deps.logger.error({ err: error, job: c.job.id }, 'recording a job outcome failed'),
          )
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
    }
  }

  private readonly finisher = new Batcher<JobOutcome, void>(async (outcomes) => {
    const changes = await this.deps.store.finishJobs(outcomes, this.deps.clock.now());
    for (const change of changes) this.deps.events.emit(change);
    return outcomes.map(() => ({ ok: true, value: undefined }));
  });

  private async process(claimed: ClaimedJob, deadline: ProviderDeadline): Promise<JobOutcome> {
    const { job, message } = claimed;
    const base = { kind: 'done' as const, jobId: job.id, attempt: job.attempts, messageId: job.messageId };
    if (job.kind === 'status') {
      if (job.reply !== null) {
        const failed = await this.receiveReply(claimed, job.reply);
        if (failed !== undefined) return failed;
      }
      return { ...base, patches: job.patch ? [job.patch] : [], schedule: chain(job.then, this.deps.clock.now()) };
    }
    if (message.status !== 'QUEUED') return { ...base, patches: [], schedule: [] };

    const result = await this.callProvider(claimed, deadline);
    const now = this.deps.clock.now();
    if (result.kind === 'accepted') {
      const events = [...result.events].sort((a, b) => a.afterMs - b.afterMs);
      const immediate = events.filter((e) => e.afterMs <= 0).map((e) => e.patch);
      // Later events become one chain of relative delays, each scheduled when the one before runs.
      // Contact replies join the chain (after the status changes due at the same time), so a reply
      // is a durable job scheduled only once the status before it (DELIVERED) is applied.
      const later: FollowUp[] = [
        ...events.filter((e) => e.afterMs > 0),
        ...(result.replies ?? []).map((r) => ({
          afterMs: Math.max(0, r.afterMs),
          patch: null,
          reply: { handle: newHandle(), content: r.content },
        })),
      ].sort((a, b) => a.afterMs - b.afterMs);
      const relative = later.map((e, i) => ({ ...e, afterMs: e.afterMs - (i === 0 ? 0 : later[i - 1]!.afterMs) }));
      return { ...base, patches: immediate, schedule: chain(relative, now) };
    }
    const { maxAttempts, retryBaseMs, retryMaxMs } = this.deps.settings;
    if (result.retryable && job.attempts < maxAttempts) {
      return {
        kind: 'retry',
        jobId: job.id,
        attempt: job.attempts,
        runAt: now + backoffDelay(job.attempts, retryBaseMs, retryMaxMs),
        error: result.errorMessage,
      };
    }
    return {
      ...base,
      patches: [
        {
          status: 'ERROR',
          errorCode: result.errorCode,
          errorMessage: result.errorMessage,
          errorReason: result.errorReason ?? (result.retryable ? `gave up after ${job.attempts} attempts` : null),
        },
      ],
      schedule: [],
    };
  }

  /** Hands a contact's reply to the receiving use case; a failure is retried like a send. */
  private async receiveReply(claimed: ClaimedJob, reply: ContactReply): Promise<JobOutcome | undefined> {
    const { onContactReply, settings, logger, clock } = this.deps;
    if (onContactReply === undefined) return undefined;
    try {
      await onContactReply(reply, claimed.message);
      return undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (claimed.job.attempts >= settings.maxAttempts) {
        logger.error({ err: error, reply: reply.handle }, 'a contact reply could not be received; dropping it');
        return undefined;
      }
      const runAt = clock.now() + backoffDelay(claimed.job.attempts, settings.retryBaseMs, settings.retryMaxMs);
      return { kind: 'retry', jobId: claimed.job.id, attempt: claimed.job.attempts, runAt, error: message };
    }
  }

  private async callProvider(
    { job, message, provider: name }: ClaimedJob,
    deadline: ProviderDeadline,
  ): Promise<ProviderResult> {
    const provider = this.deps.providers.get(name);
    if (provider === undefined) {
      return {
        kind: 'failed',
        retryable: false,
        errorCode: 10001,
        errorMessage: 'Message failed to send',
        errorReason: name === '' ? 'the sending line no longer exists' : `no provider named "${name}" is configured`,
      };
    }
    try {
      // Raced, not just signalled: a provider that ignores its signal must not hold the worker.
      const result = await Promise.race([
        provider.send({ message, attempt: job.attempts }, deadline.signal),
        deadline.expired,
      ]);
      // A provider breaking its contract is a transient failure too, not a crash of the round.
      if (!isProviderResult(result)) throw new Error(`provider "${name}" returned a malformed result`);
      return result;
    } catch (error) {
      this.deps.logger.warn({ err: error, message: message.handle, provider: name }, 'provider call failed');
      return {
        kind: 'failed',
        retryable: true,
        errorCode: 10001,
        errorMessage: error instanceof Error ? error.message : String(error),
      };
    }
  }
}

interface ProviderDeadline {
  /** Aborted when the deadline passes. */
  signal: AbortSignal;
  /** Resolves with a transient failure when the deadline passes; never, if cancelled first. */
  expired: Promise<ProviderResult>;
  /** Clears the timer once every call it covers has settled. */
  cancel: () => void;
}

function providerDeadline(clock: Clock, ms: number): ProviderDeadline {
  const controller = new AbortController();
  const cancelled = new AbortController();
  const expired = new Promise<ProviderResult>((resolve) => {
    void clock.sleep(ms, cancelled.signal).then(() => {
      if (cancelled.signal.aborted) return;
      const errorMessage = `provider call timed out after ${ms} ms`;
      controller.abort(new Error(errorMessage));
      resolve({ kind: 'failed', retryable: true, errorCode: 10001, errorMessage });
    });
  });
  return { signal: controller.signal, expired, cancel: () => cancelled.abort() };
}

function isProviderResult(value: unknown): value is ProviderResult {
  const r = value as Partial<Record<string, unknown>> | null | undefined;
  return (r?.kind === 'accepted' && Array.isArray(r.events)) || r?.kind === 'failed';
}

/** The first follow-up as a job due after its delay, carrying the rest of the chain. */
function chain(
  followUps: FollowUp[],
  now: number,
): { runAt: number; patch: StatusPatch | null; then: FollowUp[]; reply?: ContactReply }[] {
  const [first, ...rest] = followUps;
  if (first === undefined) return [];
  const link = { runAt: now + first.afterMs, patch: first.patch, then: rest };
  return [first.reply === undefined ? link : { ...link, reply: first.reply }];
}
