import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { LineStatus } from '../domain/line.js';
import { backoffDelay } from './backoff.js';
import type { Provider, ProviderConnection, ProviderEvents } from './providers/provider.js';

export interface SupervisorSettings {
  /** First reconnect delay; doubles per failed attempt up to `reconnectMaxMs`, with full jitter. */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** Consecutive transient send failures on a live connection that make it DEGRADED. */
  degradedAfterFailures: number;
}

export interface ProviderHealth {
  status: LineStatus;
  changedAt: number;
  degradedSince: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

/**
 * Keeps one provider connected: connect, wait for the connection to drop, reconnect after an
 * exponential backoff with full jitter (so a fleet of servers does not reconnect in step after an
 * SMSC restart), until stopped. Tracks health as the SDK's line states: UNKNOWN until the first
 * attempt ends, ONLINE while connected, DEGRADED while connected but sends keep failing
 * transiently, OFFLINE while disconnected.
 */
export class ProviderSupervisor {
  private state: ProviderHealth;
  private running = false;
  private stopping = new AbortController();
  private loopDone: Promise<void> = Promise.resolve();
  private connection: ProviderConnection | undefined;
  private failuresInARow = 0;

  constructor(
    readonly provider: Provider,
    private readonly deps: {
      events: ProviderEvents;
      clock: Clock;
      logger: Logger;
      settings: SupervisorSettings;
      onHealth: (health: ProviderHealth) => void;
      random?: () => number;
    },
  ) {
    this.state = {
      status: 'UNKNOWN',
      changedAt: deps.clock.now(),
      degradedSince: null,
      lastError: null,
      lastErrorAt: null,
    };
  }

  health(): ProviderHealth {
    return this.state;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.loopDone = this.loop();
  }

  /** Closes the connection cleanly (an SMPP unbind) and ends the loop. Idempotent. */
  async stop(): Promise<void> {
    if (this.running) {
      this.running = false;
      this.stopping.abort();
    }
    await this.loopDone;
  }

  /** The outcome of a send over this provider: repeated transient failures mark it DEGRADED. */
  noteSend(outcome: { ok: true } | { ok: false; transient: boolean; error: string }): void {
    if (outcome.ok) {
      this.failuresInARow = 0;
      if (this.state.status === 'DEGRADED') this.transition('ONLINE');
      return;
    }
    if (!outcome.transient) return;
    this.failuresInARow++;
    if (this.state.status === 'ONLINE' && this.failuresInARow >= this.deps.settings.degradedAfterFailures) {
      this.transition('DEGRADED', outcome.error);
    }
  }

  private async loop(): Promise<void> {
    const { clock, logger, settings } = this.deps;
    const random = this.deps.random ?? Math.random;
    let attempt = 0;
    while (this.running) {
      let lost: Error | undefined;
      try {
        this.connection = await this.provider.connect(this.deps.events, this.stopping.signal);
        attempt = 0;
        this.failuresInARow = 0;
        this.transition('ONLINE');
        const stopped = new Promise<'stopped'>((resolve) =>
          this.stopping.signal.addEventListener('abort', () => resolve('stopped'), { once: true }),
        );
        const ended = await Promise.race([this.connection.closed, stopped]);
        if (ended === 'stopped') {
          await this.connection.close();
          this.transition('OFFLINE', 'stopped');
          return;
        }
        lost = ended ?? new Error('connection closed');
      } catch (error) {
        lost = error instanceof Error ? error : new Error(String(error));
      } finally {
        this.connection = undefined;
      }
      if (!this.running) return;
      attempt++;
      const delay = Math.floor(random() * backoffDelay(attempt, settings.reconnectBaseMs, settings.reconnectMaxMs));
      logger.warn(
        { err: lost, provider: this.provider.kind, retryInMs: delay },
        'provider connection lost; reconnecting',
      );
      this.transition('OFFLINE', lost.message);
      await clock.sleep(delay, this.stopping.signal);
    }
  }

  private transition(status: LineStatus, error?: string): void {
    const now = this.deps.clock.now();
    const previous = this.state;
    const healthy = status === 'ONLINE' || status === 'UNKNOWN';
    const next: ProviderHealth = {
      status,
      changedAt: previous.status === status ? previous.changedAt : now,
      degradedSince: healthy ? null : (previous.degradedSince ?? now),
      lastError: error ?? previous.lastError,
      lastErrorAt: error === undefined ? previous.lastErrorAt : now,
    };
    const changed = previous.status !== status || previous.lastError !== next.lastError;
    this.state = next;
    if (changed) this.deps.onHealth(next);
  }
}
