import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import { Batcher } from '../lib/batcher.js';
import { DELIVERY_ERRORS } from '../domain/delivery-errors.js';
import type { ClaimedJob, ScheduledInbound, JobOutcome, RouteStep } from '../domain/job.js';
import type { Message } from '../domain/message.js';
import { isFinal } from '../domain/status.js';
import type { JobsPort } from '../store/ports/jobs-port.js';
import { backoffDelay } from './backoff.js';
import {
  type ProviderDeadline,
  type WorkerMedia,
  isProviderResult,
  mediaCheck,
  providerDeadline,
} from './provider-call.js';
import type { MessageEvents } from './message-events.js';
import type { Provider, ProviderEvents, ProviderSendRequest, SendResult } from './providers/provider.js';
import type { Route, Router } from './router.js';
import { acceptedOutcome, chain } from './accepted-outcome.js';
import { downgradeOutcome, noRoutePatch, ownRoute, settlesItself, windowCheck } from './route-steps.js';

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
  providers: ProviderDirectory;
  events: MessageEvents;
  logger: Logger;
  settings: WorkerSettings;
  /**
   * Receives the inbound messages a provider scheduled (the sandbox echo contact's replies), the
   * same way a network's inbound messages are received. Without it, they are dropped.
   */
  onInbound?: ProviderEvents['onInbound'];
  /** Fetches a real network's message media before sending it; without it, nothing is fetched. */
  media?: WorkerMedia;
  /**
   * Routing with SMS fallback (router.ts): which line and service each attempt uses, downgrades
   * after "not an iMessage user" failures and the fallback window. Without it, every message goes
   * over its own line as its own service.
   */
  router?: Pick<Router, 'forSend' | 'smsRoute' | 'windowOf' | 'learn'>;
}

/** Finds the provider of a message's line (provider-host.ts). */
export interface ProviderDirectory {
  resolve(
    line: string,
    kind: string,
  ):
    | {
        send(request: ProviderSendRequest, signal: AbortSignal): Promise<SendResult>;
        check?: Provider['check'];
      }
    | { reason: 'no_line' | 'unknown_kind' | 'not_started'; detail: string };
  /** Told each send's outcome, for the line's health (repeated transient failures: DEGRADED). */
  noteSend?(line: string, outcome: { ok: true } | { ok: false; transient: boolean; error: string }): void;
}

/** Tapback's error code for a send that failed, whichever network failed it. */
const SEND_FAILED = DELIVERY_ERRORS.sendFailed;

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
      if (job.route !== undefined && job.route !== null) return this.routeStep(claimed, job.route, deadline);
      if (job.reply !== null) {
        const failed = await this.receiveReply(claimed, job.reply);
        if (failed !== undefined) return failed;
      }
      return { ...base, patches: job.patch ? [job.patch] : [], schedule: chain(job.then, this.deps.clock.now()) };
    }
    if (message.status !== 'QUEUED') return { ...base, patches: [], schedule: [] };

    const route = (await this.deps.router?.forSend(message)) ?? ownRoute(message, claimed.provider);
    if (route.kind === 'none') return { ...base, patches: [noRoutePatch(route.reason)], schedule: [] };
    const result = await this.callProvider(claimed, deadline, route);
    const now = this.deps.clock.now();
    this.noteSend(route.line, result);
    const router = this.deps.router;
    if (result.kind === 'accepted') {
      const outcome = acceptedOutcome(base, result, now, route, message);
      // An iMessage send that nothing confirms yet: the fallback window starts now.
      const windowMs =
        router !== undefined && route.service === 'iMessage' && !settlesItself(result)
          ? await router.windowOf(message)
          : undefined;
      if (windowMs === undefined) return outcome;
      return { ...outcome, schedule: [...outcome.schedule, windowCheck(now + windowMs, result.networkMessageIds)] };
    }
    if (router !== undefined && result.notOnService === true && route.service === 'iMessage') {
      router.learn(route.line, message.toNumber, 'SMS');
      const sms = await router.smsRoute(message);
      if (sms.kind === 'route') return downgradeOutcome(base, now);
      return { ...base, patches: [noRoutePatch(sms.reason, result.errorDetail)], schedule: [] };
    }
    return this.failedOutcome(base, result, now, route, message);
  }

  private noteSend(line: string, result: SendResult): void {
    this.deps.providers.noteSend?.(
      line,
      result.kind === 'accepted'
        ? { ok: true }
        : { ok: false, transient: result.retryable, error: result.errorMessage },
    );
  }

  /**
   * A routing step kept as a job (RouteStep). `window`: unless the message was delivered, failed or
   * moved to SMS meanwhile, its network is asked (`check`) and, without a delivery, the iMessage
   * attempt counts as failed: the message is downgraded and sent by SMS. `resend`: the SMS send.
   */
  private async routeStep(claimed: ClaimedJob, step: RouteStep, deadline: ProviderDeadline): Promise<JobOutcome> {
    const { job, message } = claimed;
    const base = { kind: 'done' as const, jobId: job.id, attempt: job.attempts, messageId: job.messageId };
    const nothing: JobOutcome = { ...base, patches: [], schedule: [] };
    const router = this.deps.router;
    if (router === undefined || isFinal(message.status)) return nothing;
    const onSms = message.service === 'SMS' && message.wasDowngraded === true;
    if (step.step === 'not_on_service') {
      if (onSms) return nothing;
      router.learn(message.sendblueNumber, message.toNumber, 'SMS');
      const sms = await router.smsRoute(message);
      if (sms.kind === 'route') return downgradeOutcome(base, this.deps.clock.now());
      return { ...base, patches: [{ ...step.patch, errorReason: sms.reason }], schedule: [] };
    }
    if (step.step === 'window') {
      if (onSms) return nothing;
      const checked = await this.check(claimed, step.networkMessageIds, deadline);
      if (checked?.state === 'delivered') return { ...base, patches: [checked.patch], schedule: [] };
      const sms = await router.smsRoute(message);
      return sms.kind === 'route' ? downgradeOutcome(base, this.deps.clock.now()) : nothing;
    }
    if (!onSms) return nothing;
    const route = await router.smsRoute(message);
    if (route.kind === 'none') return { ...base, patches: [noRoutePatch(route.reason)], schedule: [] };
    const result = await this.callProvider(claimed, deadline, route);
    const now = this.deps.clock.now();
    this.noteSend(route.line, result);
    if (result.kind === 'accepted') return acceptedOutcome(base, result, now, route, message);
    return this.failedOutcome(base, result, now, route, message);
  }

  /** What the message's own network knows of the iMessage attempt; undefined when it cannot say. */
  private async check(
    { message, provider: kind }: ClaimedJob,
    networkMessageIds: readonly string[],
    deadline: ProviderDeadline,
  ): Promise<Awaited<ReturnType<NonNullable<Provider['check']>>> | undefined> {
    const provider = kind === '' ? undefined : this.deps.providers.resolve(message.sendblueNumber, kind);
    if (provider === undefined || 'reason' in provider || provider.check === undefined) return undefined;
    try {
      return await Promise.race([
        provider.check({ message, networkMessageIds }, deadline.signal),
        deadline.expired.then(() => undefined),
      ]);
    } catch (error) {
      this.deps.logger.warn({ err: error, message: message.handle }, 'checking a message with its network failed');
      return undefined;
    }
  }

  private failedOutcome(
    base: { kind: 'done'; jobId: number; attempt: number; messageId: number },
    result: Extract<SendResult, { kind: 'failed' }>,
    now: number,
    route: Extract<Route, { kind: 'route' }>,
    message: Message,
  ): JobOutcome {
    const job = { id: base.jobId, attempts: base.attempt };
    // A failure of the named fallback line says so: that line is what needs attention.
    const via = (reason: string | null): string | null =>
      route.viaFallback ? `SMS fallback line ${route.line}: ${reason ?? result.errorMessage}` : reason;
    // Routing's move to SMS is recorded with the first outcome, whatever it is.
    const downgrade = route.downgraded && !(message.service === 'SMS' && message.wasDowngraded === true);
    const { maxAttempts, retryBaseMs, retryMaxMs } = this.deps.settings;
    if (result.retryable && job.attempts < maxAttempts) {
      const runAt = now + backoffDelay(job.attempts, retryBaseMs, retryMaxMs);
      // Its SMS send is retried as a job of its own (the same as after an iMessage failure).
      if (downgrade)
        return {
          ...downgradeOutcome(base, now),
          schedule: [{ runAt, patch: null, then: [], route: { step: 'resend' } }],
        };
      return {
        kind: 'retry',
        jobId: job.id,
        attempt: job.attempts,
        runAt,
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
          errorReason: via(result.errorReason ?? (result.retryable ? `gave up after ${job.attempts} attempts` : null)),
          errorDetail: result.errorDetail ?? null,
        },
      ],
      schedule: [],
      ...(downgrade ? { downgrade: true as const } : {}),
    };
  }

  /**
   * Hands a scheduled inbound message (the contact answering `claimed.message`) to the same path as
   * a network's inbound messages; idempotent by the id chosen when it was scheduled. A failure is
   * retried like a send.
   */
  private async receiveReply(claimed: ClaimedJob, reply: ScheduledInbound): Promise<JobOutcome | undefined> {
    const { onInbound, settings, logger, clock } = this.deps;
    if (onInbound === undefined) return undefined;
    const cause = claimed.message;
    try {
      await onInbound({
        line: cause.sendblueNumber,
        from: cause.number,
        content: reply.content,
        service: cause.service,
        networkMessageId: reply.handle,
      });
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

  /** The provider call, after the media check for a real network (`mediaCheck`). */
  private async withMedia(kind: string, message: Message, send: () => Promise<SendResult>): Promise<SendResult> {
    const media = this.deps.media;
    if (media !== undefined && message.mediaUrl !== '' && kind !== 'sandbox') {
      const refused = await mediaCheck(media, message.mediaUrl);
      if (refused !== undefined) return refused;
    }
    return send();
  }

  private async callProvider(
    { job, message }: ClaimedJob,
    deadline: ProviderDeadline,
    route: Extract<Route, { kind: 'route' }>,
  ): Promise<SendResult> {
    const name = route.provider;
    const provider =
      name === ''
        ? ({ reason: 'no_line', detail: 'the sending line no longer exists' } as const)
        : this.deps.providers.resolve(route.line, name);
    if ('reason' in provider) {
      return {
        kind: 'failed',
        // A line added moments ago gets its provider within the reload interval: worth a retry.
        retryable: provider.reason === 'not_started',
        errorCode: SEND_FAILED,
        errorMessage: provider.reason === 'not_started' ? provider.detail : 'Message failed to send',
        errorReason: provider.detail,
      };
    }
    try {
      // Over a fallback line, the SMS goes out from that line's number (its network knows only it);
      // the message's record keeps the line it was sent from.
      const carried =
        route.line === message.sendblueNumber
          ? message
          : { ...message, sendblueNumber: route.line, fromNumber: route.line };
      // Raced, not just signalled: a provider that ignores its signal must not hold the worker.
      const result = await Promise.race([
        this.withMedia(name, message, () =>
          provider.send({ message: carried, attempt: job.attempts, service: route.service }, deadline.signal),
        ),
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
        errorCode: SEND_FAILED,
        errorMessage: error instanceof Error ? error.message : String(error),
      };
    }
  }
}
