import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Paces submit_sm PDUs to `rate` per second, evenly spaced (1000/rate ms apart) rather than in
 * bursts: SMSCs enforce their throttle over short windows and answer a burst with
 * ESME_RTHROTTLED. It runs on the monotonic clock, not the server's (possibly manual) one, because
 * the SMSC counts real time. Rate 0 = unpaced.
 */
export class RatePacer {
  private next = 0;

  constructor(private readonly rate: number) {}

  async take(signal: AbortSignal): Promise<void> {
    if (this.rate <= 0) return;
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.rate;
    if (at > now) await sleep(at - now, undefined, { signal });
  }
}
