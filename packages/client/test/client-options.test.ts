import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/support/test-server.js';
import { DEFAULT_BASE_URL, Tapback, TapbackError } from '../src/index.js';

const ENV_NAMES = [
  'TAPBACK_API_KEY_ID',
  'TAPBACK_API_SECRET',
  'TAPBACK_BASE_URL',
  'SENDBLUE_API_API_KEY',
  'SENDBLUE_API_API_SECRET',
  'SENDBLUE_API_BASE_URL',
];

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

/** Starts each test from an environment without any of the client's variables. */
function clearEnv(): void {
  for (const name of ENV_NAMES) vi.stubEnv(name, undefined);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('client options', () => {
  it('reads TAPBACK_API_KEY_ID, TAPBACK_API_SECRET and TAPBACK_BASE_URL', async () => {
    clearEnv();
    vi.stubEnv('TAPBACK_API_KEY_ID', server.auth['sb-api-key-id']);
    vi.stubEnv('TAPBACK_API_SECRET', server.auth['sb-api-secret-key']);
    vi.stubEnv('TAPBACK_BASE_URL', server.url);
    const client = new Tapback();
    expect(client.baseURL).toBe(server.url);
    expect((await client.messages.list({ limit: 1 })).status).toBe('OK');
  });

  it('falls back to the official SDK’s SENDBLUE_API_* variables', async () => {
    clearEnv();
    vi.stubEnv('SENDBLUE_API_API_KEY', server.auth['sb-api-key-id']);
    vi.stubEnv('SENDBLUE_API_API_SECRET', server.auth['sb-api-secret-key']);
    vi.stubEnv('SENDBLUE_API_BASE_URL', `${server.url}/`);
    const client = new Tapback();
    expect(client.baseURL).toBe(server.url);
    expect((await client.messages.list({ limit: 1 })).status).toBe('OK');
  });

  it('prefers TAPBACK_* over SENDBLUE_API_*, and options over both', () => {
    clearEnv();
    vi.stubEnv('TAPBACK_API_KEY_ID', 'k');
    vi.stubEnv('TAPBACK_API_SECRET', 's');
    vi.stubEnv('TAPBACK_BASE_URL', 'http://tapback.test');
    vi.stubEnv('SENDBLUE_API_BASE_URL', 'http://sendblue.test');
    expect(new Tapback().baseURL).toBe('http://tapback.test');
    expect(new Tapback({ baseURL: 'http://option.test/' }).baseURL).toBe('http://option.test');
  });

  it('defaults to http://127.0.0.1:4010, a 60 s timeout and 2 retries', () => {
    clearEnv();
    const client = new Tapback({ apiKey: 'k', apiSecret: 's' });
    expect(client.baseURL).toBe(DEFAULT_BASE_URL);
    expect(DEFAULT_BASE_URL).toBe('http://127.0.0.1:4010');
    expect(client.timeout).toBe(60_000);
    expect(client.maxRetries).toBe(2);
  });

  it('refuses to start without credentials, naming the variables', () => {
    clearEnv();
    expect(() => new Tapback({ apiSecret: 's' })).toThrow(/TAPBACK_API_KEY_ID.*SENDBLUE_API_API_KEY/);
    expect(() => new Tapback({ apiKey: 'k' })).toThrow(/TAPBACK_API_SECRET.*SENDBLUE_API_API_SECRET/);
    expect(() => new Tapback({ apiKey: 'k' })).toThrow(TapbackError);
  });

  it('rejects nonsensical timeouts and retry counts', async () => {
    expect(() => new Tapback({ apiKey: 'k', apiSecret: 's', timeout: -1 })).toThrow(/timeout/);
    expect(() => new Tapback({ apiKey: 'k', apiSecret: 's', maxRetries: 1.5 })).toThrow(/maxRetries/);
    expect(() => new Tapback({ apiKey: 'k', apiSecret: 's', baseURL: '127.0.0.1:4010' })).toThrow(/baseURL/);
    const client = new Tapback({ apiKey: 'k', apiSecret: 's' });
    await expect(client.messages.list({}, { maxRetries: -1 })).rejects.toThrow(/maxRetries/);
  });

  it('uses a custom fetch and default headers', async () => {
    const seen: Request[] = [];
    const client = new Tapback({
      baseURL: server.url,
      apiKey: server.auth['sb-api-key-id'],
      apiSecret: server.auth['sb-api-secret-key'],
      defaultHeaders: { 'x-app': 'tests' },
      fetch: (input, init) => {
        seen.push(new Request(input, init));
        return fetch(input, init);
      },
    });
    await client.messages.retrieve('handle with/slash').catch(() => undefined);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe(`${server.url}/api/v2/messages/handle%20with%2Fslash`);
    expect(seen[0]?.headers.get('x-app')).toBe('tests');
  });

  it('does not show the secret when the client is logged', () => {
    const client = new Tapback({ apiKey: 'k', apiSecret: 'very-secret-value' });
    expect(JSON.stringify(client)).not.toContain('very-secret-value');
    expect(Object.values(client)).not.toContain('very-secret-value');
  });
});
