import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, nextAttemptAt, parseRetryAfter } from './retry-schedule.js';

describe('retry schedule', () => {
  it('gives the next attempt time, and null once the schedule is used up', () => {
    const schedule = [0, 5000, 60_000];
    expect(nextAttemptAt(schedule, 1, 1000)).toBe(6000);
    expect(nextAttemptAt(schedule, 2, 1000)).toBe(61_000);
    expect(nextAttemptAt(schedule, 3, 1000)).toBeNull();
  });

  it('treats Retry-After as a floor, clamped to a day', () => {
    const schedule = [0, 5000, 60_000];
    expect(nextAttemptAt(schedule, 1, 0, 30_000)).toBe(30_000);
    expect(nextAttemptAt(schedule, 2, 0, 30_000)).toBe(60_000);
    expect(nextAttemptAt(schedule, 1, 0, 10 * MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
