import type { Clock } from '../../src/domain/clock.js';
import type {
  Provider,
  ProviderConnection,
  ProviderSendRequest,
  SendResult,
} from '../../src/delivery/providers/provider.js';
import type { ProviderDirectory } from '../../src/delivery/worker.js';

/** One call the worker made, as the fake saw it. */
export interface ProviderCall {
  handle: string;
  to: string;
  attempt: number;
  /** The clock's time when the call started. */
  at: number;
  signal: AbortSignal;
}

/** What the fake does for one call; may return a promise that never settles. */
export type FakeBehaviour = (request: ProviderSendRequest, signal: AbortSignal) => SendResult | Promise<SendResult>;

/**
 * A scriptable Provider that records every call. By default it accepts and reports SENT at once;
 * `behave()` replaces what every later call does.
 */
export class FakeProvider implements Provider {
  readonly calls: ProviderCall[] = [];
  private behaviour: FakeBehaviour = () => sentNow();
  private waiters: { count: number; resolve: () => void }[] = [];
  readonly services = ['iMessage', 'SMS'] as const;

  constructor(
    private readonly clock: Clock,
    readonly kind = 'fake',
  ) {}

  async connect(): Promise<ProviderConnection> {
    return { closed: new Promise(() => undefined), close: async () => undefined };
  }

  behave(behaviour: FakeBehaviour): this {
    this.behaviour = behaviour;
    return this;
  }

  async send(request: ProviderSendRequest, signal: AbortSignal): Promise<SendResult> {
    this.calls.push({
      handle: request.message.handle,
      to: request.message.toNumber,
      attempt: request.attempt,
      at: this.clock.now(),
      signal,
    });
    for (const w of this.waiters.filter((x) => this.calls.length >= x.count)) w.resolve();
    return this.behaviour(request, signal);
  }

  /** Resolves once at least `count` calls have started. */
  waitForCalls(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        count,
        resolve: () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  callsFor(handle: string): ProviderCall[] {
    return this.calls.filter((c) => c.handle === handle);
  }
}

/** Accepted: SENT now, and optionally DELIVERED `deliveredAfterMs` later. */
export function sentNow(deliveredAfterMs?: number): SendResult {
  return {
    kind: 'accepted',
    patches: [{ status: 'SENT' }],
    scheduled: deliveredAfterMs === undefined ? [] : [{ afterMs: deliveredAfterMs, patch: { status: 'DELIVERED' } }],
  };
}

/** The worker's view of `providers`, each carrying the lines whose provider kind is its `kind`. */
export function directoryOf(providers: readonly Provider[]): ProviderDirectory {
  const byKind = new Map(providers.map((p) => [p.kind, p]));
  return {
    resolve: (_line, kind) =>
      byKind.get(kind) ?? { reason: 'unknown_kind', detail: `no provider "${kind}" runs on this server` },
  };
}

export function transientFailure(errorMessage = 'fake: temporary failure'): SendResult {
  return { kind: 'failed', retryable: true, errorCode: 10001, errorMessage };
}

export function permanentFailure(errorCode = 10001, errorMessage = 'fake: rejected'): SendResult {
  return { kind: 'failed', retryable: false, errorCode, errorMessage, errorReason: 'fake: permanent' };
}

/** A promise that never settles and ignores its abort signal: a provider stuck on a dead socket. */
export function hangForever(): Promise<SendResult> {
  return new Promise<SendResult>(() => undefined);
}

/** Settles only when `signal` aborts, then rejects: a provider that honours cancellation. */
export function hangUntilAborted(signal: AbortSignal): Promise<SendResult> {
  return new Promise<SendResult>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(new Error('fake: aborted')), { once: true });
  });
}
