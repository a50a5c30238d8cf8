import { describe, expect, it } from 'vitest';
import { type AttemptOutcome, retryDelayMs } from './retry.js';

const response = (status: number, headers: Record<string, string> = {}): AttemptOutcome => ({
  kind: 'response',
  status,
  headers: new Headers(headers),
});
const noJitter = { random: () => 0, now: () => Date.parse('2026-01-01T00:00:00Z') };
const first = { retriesDone: 0, maxRetries: 2, ...noJitter };

describe('retryDelayMs', () => {
  it.each([408, 409, 429, 500, 502, 503, 504])('retries status %i', (status) => {
    expect(retryDelayMs(response(status), first)).toBe(500);
  });

  it.each([400, 401, 403, 404, 422])('does not retry status %i', (status) => {
    expect(retryDelayMs(response(status), first)).toBeUndefined();
  });

  it('retries when no response arrived', () => {
    expect(retryDelayMs({ kind: 'no-response' }, first)).toBe(500);
  });

  it('obeys x-should-retry over the status rules', () => {
    expect(retryDelayMs(response(503, { 'x-should-retry': 'false' }), first)).toBeUndefined();
    expect(retryDelayMs(response(400, { 'x-should-retry': 'true' }), first)).toBe(500);
  });

  it('stops after maxRetries', () => {
    expect(retryDelayMs(response(503), { ...first, retriesDone: 2 })).toBeUndefined();
    expect(retryDelayMs(response(503), { ...first, maxRetries: 0 })).toBeUndefined();
  });

  it('backs off exponentially up to 8 s', () => {
    const delays = [0, 1, 2, 3, 4, 5].map((n) =>
      retryDelayMs(response(503), { ...noJitter, retriesDone: n, maxRetries: 9 }),
    );
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('takes up to 25 % off at random', () => {
    expect(retryDelayMs(response(503), { ...first, random: () => 1 })).toBe(375);
    expect(retryDelayMs(response(503), { ...first, retriesDone: 1, random: () => 0.5 })).toBe(875);
  });

  it('waits retry-after-ms first, then Retry-After in seconds or as an HTTP date', () => {
    expect(retryDelayMs(response(429, { 'retry-after-ms': '250', 'retry-after': '9' }), first)).toBe(250);
    expect(retryDelayMs(response(429, { 'retry-after': '3' }), first)).toBe(3000);
    expect(retryDelayMs(response(429, { 'retry-after': '0.5' }), first)).toBe(500);
    expect(retryDelayMs(response(503, { 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), first)).toBe(7000);
    expect(retryDelayMs(response(503, { 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), first)).toBe(0);
    expect(retryDelayMs(response(503, { 'retry-after-ms': '0' }), first)).toBe(0);
  });

  it('falls back to the backoff when the requested wait is unusable or over 60 s', () => {
    expect(retryDelayMs(response(429, { 'retry-after': 'soon' }), first)).toBe(500);
    expect(retryDelayMs(response(429, { 'retry-after': '120' }), first)).toBe(500);
    expect(retryDelayMs(response(429, { 'retry-after-ms': '-5' }), first)).toBe(500);
  });

  it('ignores Retry-After on a status it will not retry', () => {
    expect(retryDelayMs(response(400, { 'retry-after': '1' }), first)).toBeUndefined();
  });
});
