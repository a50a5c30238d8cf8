import type { Service } from '../domain/message.js';

/** Entries kept at most; the oldest go first, so a flood of new numbers cannot grow it unbounded. */
const MAX_ENTRIES = 50_000;

/** What a line's provider answers for a number (`Provider.lookup`). */
export type LookupFn = (number: string, signal: AbortSignal) => Promise<{ service: Service }>;

/**
 * Which service reaches a number from a line, as the line's network last said, kept for `ttlMs`
 * (`TAPBACK_LOOKUP_CACHE_TTL_MS`). Routing asks it on every send and `GET /api/evaluate-service`
 * on every call, and an iMessage bridge's lookup is a network round trip; a person's iMessage
 * registration changes rarely. Concurrent lookups of one (line, number) share one call. A failed
 * lookup is not kept.
 */
export class LookupCache {
  private readonly entries = new Map<string, { service: Service; until: number }>();
  private readonly inFlight = new Map<string, Promise<Service>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The cached answer, without asking anyone; undefined when there is none or it expired. */
  peek(line: string, number: string): Service | undefined {
    const key = keyOf(line, number);
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    if (hit.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.service;
  }

  /** The cached answer, else `lookup`'s (then kept). Rejects as `lookup` does, or on `signal`. */
  async lookup(line: string, number: string, lookup: LookupFn, signal: AbortSignal): Promise<Service> {
    const cached = this.peek(line, number);
    if (cached !== undefined) return cached;
    const key = keyOf(line, number);
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = lookup(number, signal).then(({ service }) => {
        this.remember(key, service);
        return service;
      });
      pending.finally(() => this.inFlight.delete(key)).catch(() => undefined);
      this.inFlight.set(key, pending);
    }
    return raceSignal(pending, signal);
  }

  /** Keeps an answer learnt another way (a send that failed as "not an iMessage user"). */
  remember(key: string, service: Service): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { service, until: this.now() + this.ttlMs });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** `remember` by line and number. */
  learn(line: string, number: string, service: Service): void {
    this.remember(keyOf(line, number), service);
  }
}

const keyOf = (line: string, number: string): string => `${line}\n${number}`;

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
