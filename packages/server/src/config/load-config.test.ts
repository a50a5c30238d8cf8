import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const PG = 'postgres://tapback@127.0.0.1:5432/tapback';
const KEY = Buffer.alloc(32, 7).toString('base64');

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted it');
}

describe('loadConfig: TAPBACK_ALLOW_PRIVATE_CIDRS', () => {
  it('allows loopback when unset, and nothing when set but empty, as when set to none', () => {
    expect(loadConfig({ env: {} }).webhooks.allowPrivateCidrs).toEqual(['127.0.0.0/8', '::1/128']);
    expect(loadConfig({ env: { TAPBACK_ALLOW_PRIVATE_CIDRS: '' } }).webhooks.allowPrivateCidrs).toEqual([]);
    expect(loadConfig({ env: { TAPBACK_ALLOW_PRIVATE_CIDRS: ' ' } }).webhooks.allowPrivateCidrs).toEqual([]);
    expect(loadConfig({ env: { TAPBACK_ALLOW_PRIVATE_CIDRS: 'none' } }).webhooks.allowPrivateCidrs).toEqual([]);
  });
});

describe('loadConfig: TAPBACK_SECRET_KEY', () => {
  it('is optional on SQLite and required on PostgreSQL, naming the setting', () => {
    expect(loadConfig({ env: {} }).secretKey).toBeUndefined();
    const e = refusal({ DATABASE_URL: PG });
    expect(e.key).toBe('TAPBACK_SECRET_KEY');
    expect(e.message).toMatch(/TAPBACK_SECRET_KEY.*must be set when DATABASE_URL is PostgreSQL/);
    expect(loadConfig({ env: { DATABASE_URL: PG, TAPBACK_SECRET_KEY: KEY } }).secretKey).toBe(KEY);
  });

  it('takes 32 bytes as base64 or hex and refuses other lengths', () => {
    const hex = Buffer.alloc(32, 9).toString('hex');
    expect(loadConfig({ env: { TAPBACK_SECRET_KEY: hex } }).secretKey).toBe(hex);
    const e = refusal({ TAPBACK_SECRET_KEY: Buffer.alloc(16).toString('base64') });
    expect(e.key).toBe('TAPBACK_SECRET_KEY');
    expect(e.message).toMatch(/32 bytes/);
  });
});

describe('loadConfig: TAPBACK_BOOTSTRAP_API_SECRET', () => {
  it('must be 32 characters or more, since only its unsalted digest is stored', () => {
    const env = { TAPBACK_BOOTSTRAP_API_KEY_ID: 'bootstrap-key-0001' };
    const e = refusal({ ...env, TAPBACK_BOOTSTRAP_API_SECRET: 'a'.repeat(31) });
    expect(e.key).toBe('TAPBACK_BOOTSTRAP_API_SECRET');
    expect(e.message).toMatch(/32-512/);
    expect(loadConfig({ env: { ...env, TAPBACK_BOOTSTRAP_API_SECRET: 'b'.repeat(32) } }).bootstrap.apiSecret).toBe(
      'b'.repeat(32),
    );
  });
});

describe('loadConfig: providers', () => {
  it('refuses a job lease no longer than the provider timeout, which would send a slow send twice', () => {
    const e = refusal({ TAPBACK_JOB_LEASE_MS: '5000', TAPBACK_PROVIDER_TIMEOUT_MS: '5000' });
    expect(e.key).toBe('TAPBACK_JOB_LEASE_MS');
    expect(e.message).toMatch(/longer than TAPBACK_PROVIDER_TIMEOUT_MS \(5000 ms\)/);
    expect(
      loadConfig({ env: { TAPBACK_JOB_LEASE_MS: '5001', TAPBACK_PROVIDER_TIMEOUT_MS: '5000' } }).delivery.leaseMs,
    ).toBe(5001);
  });

  it('runs the sandbox unless TAPBACK_SANDBOX is off, and then refuses a bootstrap sandbox line', () => {
    expect(loadConfig({ env: {} }).sandboxEnabled).toBe(true);
    expect(loadConfig({ env: { TAPBACK_SANDBOX: 'off' } }).sandboxEnabled).toBe(false);
    const e = refusal({ TAPBACK_SANDBOX: 'off', TAPBACK_BOOTSTRAP_LINE: '+15550001000' });
    expect(e.key).toBe('TAPBACK_BOOTSTRAP_LINE');
  });
});
