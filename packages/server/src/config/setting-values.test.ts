import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, parseCidrList, parseDuration, parseRetrySchedule } from './setting-values.js';

describe('retry schedule setting', () => {
  it('parses the documented default: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    const s = 1000;
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)).toEqual([
      0,
      5 * s,
      300 * s,
      1800 * s,
      7200 * s,
      18_000 * s,
      36_000 * s,
      36_000 * s,
    ]);
  });

  it('rejects malformed durations and a first attempt that is not immediate', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(() => parseDuration('5 minutes')).toThrow(/not a duration/);
    expect(() => parseRetrySchedule('5s,10s')).toThrow(/must be 0/);
    expect(() => parseRetrySchedule('0,,5s')).toThrow();
  });
});

describe('private address allow-list setting', () => {
  it('parses the allow-list setting', () => {
    expect(parseCidrList('none')).toEqual([]);
    expect(parseCidrList('127.0.0.0/8, ::1/128')).toEqual(['127.0.0.0/8', '::1/128']);
    expect(() => parseCidrList('127.0.0.0/33')).toThrow(/prefix/);
    expect(() => parseCidrList('localhost')).toThrow(/not an IP range/);
  });
});
