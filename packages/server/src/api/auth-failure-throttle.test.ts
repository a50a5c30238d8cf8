import { describe, expect, it } from 'vitest';
import { AUTH_FAILURE_WINDOW_MS, AuthFailureThrottle } from './auth-failure-throttle.js';

describe('AuthFailureThrottle', () => {
  it('refuses past the limit until the oldest failure leaves the sliding window', () => {
    let now = 1_000_000;
    const throttle = new AuthFailureThrottle(3, () => now);
    expect([throttle.refuse('a'), ((now += 10_000), throttle.refuse('a')), throttle.refuse('a')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    // The oldest failure is 10 s old: it leaves the window in 50 s.
    expect(throttle.refuse('a')).toBe(50);
    // Another address has its own count.
    expect(throttle.refuse('b')).toBeUndefined();
    now += AUTH_FAILURE_WINDOW_MS - 10_000 - 1;
    expect(throttle.refuse('a')).toBe(1);
    now += 1;
    // The first failure has left the window; the two later ones are still in it.
    expect(throttle.refuse('a')).toBeUndefined();
    expect(throttle.refuse('a')).toBe(10);
  });

  it('is off at 0', () => {
    const throttle = new AuthFailureThrottle(0, () => 0);
    for (let i = 0; i < 1000; i++) expect(throttle.refuse('a')).toBeUndefined();
    expect(throttle.addresses).toBe(0);
  });

  it('tracks at most 10,000 addresses, forgetting the one whose last failure is oldest', () => {
    let now = 0;
    const throttle = new AuthFailureThrottle(1, () => now);
    throttle.refuse('first');
    for (let i = 0; i < 10_000; i++) {
      now++;
      throttle.refuse(`10.0.${i >> 8}.${i & 255}`);
    }
    expect(throttle.addresses).toBe(10_000);
    // `first` was forgotten: its next failure is counted afresh, not refused.
    expect(throttle.refuse('first')).toBeUndefined();
    expect(throttle.refuse('10.0.39.15')).toBe(60);
  });
});
