import SendblueAPI, { AuthenticationError, RateLimitError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceClock } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * Failed-authentication throttling (TAPBACK_AUTH_FAILURE_LIMIT, default 100 a minute per client
 * address), through the official SDK: past the limit, bad credentials from the address get 429
 * `too_many_auth_failures` with `Retry-After`, while a valid key from the same address still
 * passes; once the window has moved on, bad credentials get their 401 again.
 */
describe.each(SERVER_BACKENDS)('failed-authentication throttling ($name)', (backend) => {
  let server: TestServer;
  let good: SendblueAPI;
  let bad: SendblueAPI;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    good = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url });
    bad = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: 'wrong-secret', baseURL: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());

  const failure = (client: SendblueAPI) =>
    client.webhooks.list().then(
      () => undefined,
      (error: unknown) => error,
    );

  it('answers 401 up to the limit, then 429 with Retry-After to bad keys only, and 401 again after the window', async () => {
    for (let i = 0; i < 100; i++) expect(await failure(bad)).toBeInstanceOf(AuthenticationError);

    const refused = await failure(bad);
    expect(refused).toBeInstanceOf(RateLimitError);
    const e = refused as RateLimitError;
    expect(e.error).toMatchObject({ status: 'ERROR', code: 'too_many_auth_failures', error_code: 4001 });
    expect(Number(e.headers.get('retry-after'))).toBe(60);
    // A retry cannot fix bad credentials: the SDK is told not to make one.
    expect(e.headers.get('x-should-retry')).toBe('false');

    // The same address with a valid key is served.
    expect(await good.webhooks.list()).toBeDefined();
    // A bad bearer token is a failed authentication too.
    const token = await fetch(`${server.url}/api/account/webhooks`, { headers: { authorization: 'Bearer nope' } });
    expect(token.status).toBe(429);

    await advanceClock(server, 30_000);
    const later = (await failure(bad)) as RateLimitError;
    expect(Number(later.headers.get('retry-after'))).toBe(30);

    await advanceClock(server, 30_000);
    expect(await failure(bad)).toBeInstanceOf(AuthenticationError);
  });
});
