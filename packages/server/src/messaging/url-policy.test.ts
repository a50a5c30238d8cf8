import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import { type AddressCheck, refusePrivateUrl } from './url-policy.js';

/** A policy that blocks 127/8, 10/8 and ::1, allowing what `allowed` lists. */
function policy(allowed: string[] = []): AddressCheck & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    reasonToBlock(address) {
      asked.push(address);
      if (allowed.includes(address)) return null;
      return /^(127\.|10\.)|^::1$/.test(address) ? `${address} is private` : null;
    },
  };
}

function refused(url: string, p: AddressCheck = policy()): AppError | undefined {
  try {
    refusePrivateUrl(p, url, 'status_callback');
    return undefined;
  } catch (error) {
    return error as AppError;
  }
}

describe('refusePrivateUrl', () => {
  it('refuses literal private addresses and localhost names, naming the field', () => {
    for (const url of [
      'http://127.0.0.1/x',
      'http://10.0.0.1:8080/x',
      'http://[::1]/x',
      'http://localhost/x',
      'http://a.localhost./x',
    ]) {
      const error = refused(url);
      expect(error, url).toBeInstanceOf(AppError);
      expect(error?.code).toBe('url_not_allowed');
      expect(error?.message).toMatch(/^status_callback /);
    }
  });

  it('lets public addresses and unresolved names through without asking the resolver', () => {
    const p = policy();
    expect(refused('https://example.com/cb', p)).toBeUndefined();
    expect(refused('http://8.8.8.8/cb', p)).toBeUndefined();
    expect(p.asked).toEqual(['8.8.8.8']);
  });

  it('honours the allow-list; localhost passes when either loopback family is allowed', () => {
    expect(refused('http://127.0.0.1/x', policy(['127.0.0.1']))).toBeUndefined();
    expect(refused('http://localhost/x', policy(['::1']))).toBeUndefined();
  });

  it('checks nothing without a policy, or for an empty URL', () => {
    expect(() => refusePrivateUrl(undefined, 'http://127.0.0.1/', 'media_url')).not.toThrow();
    expect(() => refusePrivateUrl(policy(), '', 'media_url')).not.toThrow();
  });
});
