import type { AcceptIdempotency } from '../store/ports/messages-port.js';
import type { Clock } from '../domain/clock.js';

/** How long an official SDK retry may come after the attempt it repeats, by default: 5 minutes. */
export const DEFAULT_RETRY_MATCH_WINDOW_MS = 5 * 60_000;

/**
 * What makes a send-like request recognisable when it comes again: the client's
 * `Idempotency-Key`, or else a digest of the request (method, path, canonical body), which an
 * official SDK retry (`X-Stainless-Retry-Count` of 1 or more) is matched on. The SDK sends no
 * idempotency key, so without the digest a send whose response was lost would be stored twice.
 */
export type RequestIdentity =
  | { kind: 'key'; key: string }
  | {
      kind: 'digest';
      /** sha256 (hex) of the request's method, path and canonical body. */
      digest: string;
      /** Marked a retry by the official SDK. */
      retry: boolean;
    };

/** `acceptOutbound`'s idempotency for a request, without the response body the use case renders. */
export type AcceptKey = Omit<AcceptIdempotency, 'responseBody'>;

/**
 * The key a request is accepted under. A client's key replays forever and is checked against
 * `meaning()` (the request's fields, so key order and absent-vs-default do not matter). A digest
 * is recorded by every first attempt (overwriting an older identical request's) and replayed only
 * to a retry within `windowMs` of it: two identical sends that are not retries are two messages.
 * The derived key holds a space, which a client's key (printable ASCII without spaces) never does.
 */
export function acceptKey(identity: RequestIdentity, meaning: () => string, now: number, windowMs: number): AcceptKey {
  if (identity.kind === 'key') return { key: identity.key, requestHash: meaning() };
  return {
    key: `retry ${identity.digest}`,
    requestHash: identity.digest,
    retryMatch: { since: identity.retry ? now - windowMs : undefined },
  };
}

/**
 * Accepts under the same key, one at a time in this process: a retry (or a repeated client key)
 * that arrives while its first attempt is still being stored waits for it, then finds it. First
 * attempts matched by digest do not wait for one another: they are distinct messages.
 */
export class InflightKeys<T> {
  private readonly running = new Map<string, Promise<T>>();

  async run(accountId: number, key: AcceptKey, work: () => Promise<T>): Promise<T> {
    const slot = `${accountId}:${key.key}`;
    const firstAttempt = key.retryMatch !== undefined && key.retryMatch.since === undefined;
    let earlier = firstAttempt ? undefined : this.running.get(slot);
    while (earlier !== undefined) {
      await earlier.catch(() => undefined);
      earlier = this.running.get(slot);
    }
    const mine = work();
    this.running.set(slot, mine);
    try {
      return await mine;
    } finally {
      if (this.running.get(slot) === mine) this.running.delete(slot);
    }
  }
}

/**
 * How every send-like use case (send, group send, carousel) runs a request under its identity:
 * the accept key derived from it (`acceptKey`), and the same key accepted one at a time
 * (`InflightKeys`). Without an identity, nothing is replayed.
 */
export class IdentifiedAccepts<T> {
  private readonly inflight = new InflightKeys<T>();

  constructor(private readonly deps: { clock: Clock; retryMatchWindowMs?: number | undefined }) {}

  run(
    accountId: number,
    identity: string | RequestIdentity | undefined,
    /** The request's meaning, compared when a client's key comes again. */
    meaning: () => string,
    accept: (key: AcceptKey | undefined) => Promise<T>,
  ): Promise<T> {
    if (identity === undefined) return accept(undefined);
    const id: RequestIdentity = typeof identity === 'string' ? { kind: 'key', key: identity } : identity;
    const window = this.deps.retryMatchWindowMs ?? DEFAULT_RETRY_MATCH_WINDOW_MS;
    const key = acceptKey(id, meaning, this.deps.clock.now(), window);
    return this.inflight.run(accountId, key, () => accept(key));
  }
}
