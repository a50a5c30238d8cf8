import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { ClaimedDelivery, WebhookOutcome } from '../domain/webhook-delivery.js';
import type { WebhooksPort } from '../store/ports/webhooks-port.js';
import type { SendResult } from './http-sender.js';
import { nextAttemptAt } from './retry-schedule.js';
import { webhookHeaders } from './signing.js';

export interface DispatcherSettings {
  /** Per-attempt limit; also sizes the lease, so a dead process's deliveries come back soon after. */
  timeoutMs: number;
  /** Delay before each attempt (retry-schedule.ts); its length is the number of attempts. */
  retrySchedule: readonly number[];
  /** Deliveries in flight at once, over all destinations. */
  concurrency: number;
  /** Deliveries in flight at once to one destination (account and host). */
  concurrencyPerDestination: number;
  /**
   * Deliveries in flight at once for one account, over all its destinations; below `concurrency`,
   * so an account whose endpoints all hang leaves the other slots to everyone else.
   */
  concurrencyPerAccount: number;
  /** Longest idle sleep (deliveries made by other processes, missed wake-ups). */
  pollMs: number;
}

/** What the dispatcher needs of an HTTP client; http-sender.ts is the real one. */
export interface WebhookSender {
  post(url: string, body: string, headers: Record<string, string>): Promise<SendResult>;
}

export interface DispatcherDeps {
  store: WebhooksPort;
  clock: Clock;
  sender: WebhookSender;
  logger: Logger;
  settings: DispatcherSettings;
  /**
   * Real time for `webhook-timestamp`. Receivers check it against their own clock, so it stays
   * real even when scheduling runs on a manual clock.
   */
  wallClock?: () => number;
}

/** The abort reason of a wake-up; a constant, because a default reason builds a DOMException each time. */
const WAKE = 'wake';

/** Slack on top of the attempt timeout before a claimed delivery may be claimed again. */
const LEASE_MARGIN_MS = 5_000;
/**
 * While every due delivery waits on a full destination or account, how often new commits may
 * prompt another claim. Such a claim walks the whole backlog to find nothing; done on every commit,
 * it costs more than the deliveries themselves (a 1,000-message backlog to one receiver cut
 * throughput from ~1,000 to ~40 deliveries a second). A finishing attempt still wakes the loop at
 * once, and other destinations' new deliveries wait at most this long.
 */
const RECLAIM_WHILE_BLOCKED_MS = 25;

/**
 * Delivers the webhook outbox: claims due deliveries fairly (round-robin across accounts, a
 * bounded number per account and per destination, so one account's dead endpoints hold only
 * that account's slots), signs and POSTs each, and records every
 * attempt. Supervised like the delivery worker: a failure is recorded and retried on schedule,
 * never thrown out of the loop. At-least-once: a crash between the POST and its record means
 * the lease expires and the same `webhook-id` is sent again.
 */
export class Dispatcher {
  readonly id = `dispatcher-${randomUUID()}`;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wake = new AbortController();
  /** When a claim last looked past full destinations and accounts, in real and clock time. */
  private lookedPastFull = { wall: -Infinity, now: -Infinity };
  /** Aborted when an attempt finishes and frees a slot: what a blocked loop waits for. */
  private slotFreed = new AbortController();
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly load = { byDestination: new Map<string, number>(), byAccount: new Map<number, number>() };
  /** Serialises claims so the loop and `runDue` never claim at the same moment. */
  private claiming: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: DispatcherDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops claiming, then waits for the attempts in flight (each bounded by the timeout). Idempotent. */
  async stop(): Promise<void> {
    if (this.running) {
      this.running = false;
      this.wake.abort(WAKE);
      this.slotFreed.abort(WAKE);
      await this.loopDone;
    }
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** New deliveries were committed: skip the rest of the current sleep. */
  notify(): void {
    this.wake.abort(WAKE);
  }

  /**
   * Attempts every delivery due now and waits for the outcomes, until nothing due is left
   * (retries scheduled later are not due). Returns how many attempts were made.
   */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await this.fill();
      total += claimed;
      if (claimed > 0) continue;
      if (this.inFlight.size > 0) {
        await Promise.race(this.inFlight.values());
        // Let the other attempts finishing in this turn free their slots too: one claim for all.
        await new Promise((resolve) => setImmediate(resolve));
      } else return total;
    }
  }

  /** When the next delivery may be claimed; null when none is pending. */
  nextDueAt(): Promise<number | null> {
    return this.deps.store.nextWebhookDeliveryAt(this.deps.clock.now());
  }

  /** Deliveries in flight right now, for tests and shutdown logs. */
  get busy(): number {
    return this.inFlight.size;
  }

  private async loop(): Promise<void> {
    const { store, clock, logger, settings } = this.deps;
    while (this.running) {
      this.wake = new AbortController();
      try {
        // A claim costs a query that walks the deliveries in flight: while busy, wait for a quarter
        // of the slots to free up (a finishing attempt wakes the loop) rather than claim one at a time.
        const free = settings.concurrency - this.inFlight.size;
        if (this.inFlight.size > 0 && free < Math.max(1, Math.floor(settings.concurrency / 4))) {
          await clock.sleep(settings.pollMs, this.wake.signal);
          continue;
        }
        const claimed = await this.fill();
        const next = await store.nextWebhookDeliveryAt(clock.now());
        const wait = next === null ? settings.pollMs : Math.min(settings.pollMs, Math.max(0, next - clock.now()));
        // Every free slot taken, and more due: claim again at once. Fewer taken than free means
        // the rest of what is due waits on a full destination or account (below).
        if (wait === 0 && claimed > 0 && claimed >= free) continue;
        if (wait === 0 && this.inFlight.size > 0) {
          // Everything due waits on a full destination or account: new commits do not wake the loop
          // (they would only claim nothing again); a freed slot does, or a short pause.
          this.slotFreed = new AbortController();
          await clock.sleep(Math.min(settings.pollMs, RECLAIM_WHILE_BLOCKED_MS), this.slotFreed.signal);
          continue;
        }
        if (this.running) await clock.sleep(wait === 0 ? settings.pollMs : wait, this.wake.signal);
      } catch (error) {
        logger.error({ err: error }, 'webhook round failed; retrying shortly');
        await clock.sleep(Math.min(settings.pollMs, 1000), this.wake.signal);
      }
    }
  }

  /** Claims as many due deliveries as there are free slots and starts them; returns how many. */
  private fill(): Promise<number> {
    const next = this.claiming.then(async () => {
      const { store, clock, settings } = this.deps;
      const free = settings.concurrency - this.inFlight.size;
      if (free <= 0) return 0;
      const now = clock.now();
      const claimed = await store.claimWebhookDeliveries({
        now,
        leaseUntil: now + settings.timeoutMs + LEASE_MARGIN_MS,
        workerId: this.id,
        limit: free,
        perDestination: settings.concurrencyPerDestination,
        perAccount: settings.concurrencyPerAccount,
        inFlight: this.load,
        lookPastFull: this.mayLookPastFull(now),
      });
      let started = 0;
      for (const c of claimed) {
        // Only possible when a manual clock jumped past a lease while its attempt was running.
        if (this.inFlight.has(c.delivery.id)) continue;
        this.launch(c);
        started++;
      }
      return started;
    });
    this.claiming = next.catch(() => undefined);
    return next;
  }

  /**
   * Claims look past full destinations and accounts (walking their backlog for other tenants'
   * deliveries) at most once per RECLAIM_WHILE_BLOCKED_MS of real time: on every freed slot, a
   * single busy tenant's backlog would be walked a thousand times a second.
   */
  private mayLookPastFull(now: number): boolean {
    const wall = performance.now();
    // A manual clock that jumped counts as time passed, as real time does.
    const recent = wall - this.lookedPastFull.wall < RECLAIM_WHILE_BLOCKED_MS;
    if (recent && now - this.lookedPastFull.now < RECLAIM_WHILE_BLOCKED_MS) return false;
    this.lookedPastFull = { wall, now };
    return true;
  }

  private launch(c: ClaimedDelivery): void {
    const { id, destination, accountId } = c.delivery;
    adjust(this.load.byDestination, destination, 1);
    adjust(this.load.byAccount, accountId, 1);
    const attempt = this.attempt(c)
      .catch((error: unknown) => {
        this.deps.logger.error({ err: error, delivery: id }, 'webhook attempt failed unexpectedly');
      })
      .finally(() => {
        this.inFlight.delete(id);
        adjust(this.load.byDestination, destination, -1);
        adjust(this.load.byAccount, accountId, -1);
        this.wake.abort(WAKE);
        this.slotFreed.abort(WAKE);
      });
    this.inFlight.set(id, attempt);
  }

  private async attempt(c: ClaimedDelivery): Promise<void> {
    const { clock, sender, store, settings, logger } = this.deps;
    const d = c.delivery;
    const startedAt = clock.now();
    const headers = webhookHeaders({
      id: d.webhookId,
      timestampS: Math.floor((this.deps.wallClock ?? Date.now)() / 1000),
      body: c.payload,
      signingSecret: c.signingSecret,
      sharedSecret: c.sharedSecret,
    });
    const result = await sender.post(d.url, c.payload, headers);
    const now = clock.now();
    const { outcome, error } = classify(result, settings.retrySchedule, d.attempts + 1, now);
    // Failures are what an operator looks for: one line each, naming the delivery and what follows.
    if (outcome.kind !== 'succeeded') {
      const fields = {
        delivery: d.id,
        webhookId: d.webhookId,
        account: d.accountId,
        kind: d.kind,
        url: d.url,
        attempt: d.attempts + 1,
        httpStatus: result.kind === 'response' ? result.status : null,
        error,
      };
      if (outcome.kind === 'retry') {
        logger.warn({ ...fields, retryAt: new Date(outcome.at).toISOString() }, 'webhook attempt failed; will retry');
      } else if (outcome.kind === 'gone') {
        logger.warn(fields, 'webhook destination answered 410 Gone; nothing more is sent to it');
      } else {
        logger.warn(fields, 'webhook delivery failed for good; no more attempts');
      }
    }
    // The slot stays taken until the record has committed (with others, in one group commit):
    // freed earlier, a claim could race the outcome, e.g. send again to an endpoint that just
    // answered 410, or send a later status before the earlier one is marked delivered.
    await store
      .recordWebhookAttempt({
        deliveryId: d.id,
        attempt: {
          startedAt,
          durationMs: result.durationMs,
          httpStatus: result.kind === 'response' ? result.status : null,
          error,
          requestHeaders: loggedHeaders(headers),
          responseExcerpt: result.kind === 'response' ? result.excerpt : null,
          responseContentType: result.kind === 'response' ? result.contentType : null,
        },
        outcome,
        now,
      })
      .catch((error: unknown) => {
        // Not recorded (e.g. the database closed): the lease expires and it is sent again.
        logger.error({ err: error, delivery: d.id }, 'could not record a webhook attempt');
      });
  }
}

/**
 * The headers an attempt was signed with, as the delivery log keeps them: the plain shared secret
 * (`sb-signing-secret`) is redacted, since the log is not where secrets are kept.
 */
export function loggedHeaders(headers: Record<string, string>): Record<string, string> {
  const logged = { ...headers };
  if (logged['sb-signing-secret'] !== undefined) logged['sb-signing-secret'] = REDACTED;
  return logged;
}

export const REDACTED = '[redacted]';

/** Adds `by` to a count, dropping it at zero so the maps hold only what is in flight. */
function adjust<K>(counts: Map<K, number>, key: K, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}

/** What an attempt's result means for the delivery, and the error to log (null on success). */
export function classify(
  result: SendResult,
  schedule: readonly number[],
  attemptsMade: number,
  now: number,
): { outcome: WebhookOutcome; error: string | null } {
  const retry = (error: string, retryAfterMs?: number): { outcome: WebhookOutcome; error: string } => {
    const at = nextAttemptAt(schedule, attemptsMade, now, retryAfterMs);
    return { outcome: at === null ? { kind: 'failed' } : { kind: 'retry', at }, error };
  };
  if (result.kind === 'error') {
    return result.blocked ? { outcome: { kind: 'failed' }, error: result.error } : retry(result.error);
  }
  const s = result.status;
  if (s >= 200 && s < 300) return { outcome: { kind: 'succeeded' }, error: null };
  if (s === 410) return { outcome: { kind: 'gone' }, error: 'HTTP 410 Gone: endpoint disabled' };
  if (s >= 300 && s < 400) return retry(`HTTP ${s}: redirects are not followed`);
  if (s === 429 || s === 503) return retry(`HTTP ${s}`, result.retryAfterMs);
  return retry(`HTTP ${s}`);
}
