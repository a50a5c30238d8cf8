import SendblueAPI, { BadRequestError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, expectError, get, inject, send } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * A query parameter a route does not list is a 400 naming it, on every route, so a typo never
 * turns a filter into "every message"; an unencoded `+` in a phone number (a space once decoded)
 * is a 400 that says so, never "no message". Unknown body fields stay ignored.
 */
describe.each(SERVER_BACKENDS)('query parameters ($name)', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startBackendServer(backend);
    expect(
      (await send(server, server.auth, { number: CONTACT, from_number: server.line, content: 'x' })).statusCode,
    ).toBe(200);
  });
  afterAll(() => server.close());

  it('refuses a misspelt filter on the message list, naming it and what the route takes', async () => {
    const body = expectError(await get(server, server.auth, '/api/v2/messages?stauts=ERROR'), 400, 'validation_failed');
    expect(body.message).toMatch(/^stauts /);
    expect(body.message).toContain('status');
    expect(body.details?.[0]?.field).toBe('stauts');
  });

  it('names every unknown parameter of one request', async () => {
    const body = expectError(await get(server, server.auth, '/api/v2/messages?limit=1&foo=1&bar=2'), 400);
    expect(body.details?.map((d) => d.field)).toEqual(['foo', 'bar']);
  });

  it('still answers the parameters a route lists', async () => {
    const res = await get(
      server,
      server.auth,
      `/api/v2/messages?status=QUEUED&limit=5&number=${encodeURIComponent(CONTACT)}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as { data: unknown[] }).data).toHaveLength(1);
  });

  it('refuses an unencoded + in ?number= as a space, saying so', async () => {
    const body = expectError(
      await get(server, server.auth, `/api/v2/messages?number=${CONTACT}`),
      400,
      'invalid_phone_number',
    );
    expect(body.message).toMatch(/^number looks like an unencoded \+/);
    expect(body.message).toContain('%2B19998887777');
  });

  it('refuses query parameters on a route that takes none', async () => {
    const res = await inject(server, {
      method: 'POST',
      url: '/api/send-message?dry_run=true',
      headers: { ...server.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ number: CONTACT, from_number: server.line, content: 'x' }),
    });
    const body = expectError(res, 400, 'validation_failed');
    expect(body.message).toContain('dry_run');
    expect(body.message).toContain('takes no query parameters');
  });

  it('keeps ignoring unknown body fields', async () => {
    const res = await send(server, server.auth, {
      number: CONTACT,
      from_number: server.line,
      content: 'x',
      some_future_field: 1,
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('reaches the official SDK as a BadRequestError naming the parameter', async () => {
    const client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
    const error = await client.messages
      .list({ stauts: 'ERROR' } as unknown as Parameters<typeof client.messages.list>[0])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain('stauts');
  });
});
