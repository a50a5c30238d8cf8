/** The window failed authentications are counted over. */
export const AUTH_FAILURE_WINDOW_MS = 60_000;

/**
 * How many client addresses are tracked at once. Past it the address whose last failure is the
 * oldest is forgotten: memory stays bounded (at most `limit` timestamps per address) even when
 * failures come from very many addresses, at the price of forgetting the quietest of them.
 */
const MAX_ADDRESSES = 10_000;

/**
 * Failed authentications per client address over a sliding minute, in memory (each server process
 * counts its own: behind a load balancer, a client's failures spread over the processes). Once an
 * address has `limit` failures inside the window, its further failures are answered 429 rather
 * than 401 until the oldest of them leaves the window; those refused failures are not counted, so
 * the answer goes back to 401 exactly when `Retry-After` says. A request with valid credentials is
 * never refused: the throttle only judges requests that have already failed, so a client whose
 * neighbours behind the same NAT hammer with a broken key keeps working.
 *
 * A sliding log (the last `limit` failure times) rather than @fastify/rate-limit: the plugin counts
 * every request before authentication, and would refuse the good keys too.
 */
export class AuthFailureThrottle {
  /** Per address, its failure times inside the window, oldest first (at most `limit`). */
  private readonly failures = new Map<string, number[]>();

  constructor(
    /** Failures a minute per address before 429; 0 turns the throttle off. */
    readonly limit: number,
    private readonly now: () => number,
  ) {}

  /**
   * Called for a request whose credentials failed: undefined when it may get its 401 (the failure
   * is then counted), or the seconds until it would, when the address is over its limit.
   */
  refuse(address: string): number | undefined {
    if (this.limit <= 0) return undefined;
    const now = this.now();
    const since = now - AUTH_FAILURE_WINDOW_MS;
    const times = this.failures.get(address) ?? [];
    while (times.length > 0 && times[0]! <= since) times.shift();
    if (times.length >= this.limit) return Math.max(1, Math.ceil((times[0]! - since) / 1000));
    times.push(now);
    // Re-inserted, so the map's order is by latest failure and the first entry is the one to forget.
    this.failures.delete(address);
    this.failures.set(address, times);
    if (this.failures.size > MAX_ADDRESSES) this.forgetOldest(since);
    return undefined;
  }

  /** Addresses tracked now: for tests of the memory bound. */
  get addresses(): number {
    return this.failures.size;
  }

  private forgetOldest(since: number): void {
    for (const [address, times] of this.failures) {
      const last = times[times.length - 1];
      if (this.failures.size > MAX_ADDRESSES || last === undefined || last <= since) this.failures.delete(address);
      else break;
    }
  }
}
