import SendblueAPI from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { type LoggedServer, startLoggedServer } from './support/logged-server.js';
import { TEST_KEY_ID, TEST_SECRET } from './support/test-server.js';
import { eventually } from './support/webhook-receiver.js';

/** One log line per request: method, route pattern, status, duration, account, request id; never a secret. */
describe.each(SERVER_BACKENDS)('request logs ($name)', (backend) => {
  let server: LoggedServer;
  let client: SendblueAPI;

  beforeAll(async () => {
    server = await startLoggedServer(backend, { TAPBACK_CLOCK: 'manual' });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());

  const requestLines = () => server.logs().filter((l) => l.msg === 'request');

  it('logs each request once with its route pattern, status, duration, account and request id', async () => {
    const sent = await client.messages.send({ number: CONTACT, from_number: server.line, content: 'logged' });
    const handle = sent.message_handle ?? '';
    await client.messages.retrieve(handle);
    const lines = await eventually(() => {
      const found = requestLines().filter((l) => l.route === '/api/v2/messages/:message_handle');
      return found.length === 1 ? requestLines() : undefined;
    });
    const send = lines.filter((l) => l.route === '/api/send-message');
    expect(send).toHaveLength(1);
    expect(send[0]).toMatchObject({ level: 30, method: 'POST', status: 200, account: expect.any(Number) });
    expect(send[0]?.ms).toEqual(expect.any(Number));
    expect(send[0]?.reqId).toEqual(expect.any(String));
    const retrieve = lines.find((l) => l.route === '/api/v2/messages/:message_handle');
    expect(retrieve).toMatchObject({ method: 'GET', status: 200 });
    // The route pattern, never the path: a handle (or anything else in a URL) stays out of the log.
    expect(server.rawLogs()).not.toContain(handle);
  });

  it('never logs a credential, a query value or a body', async () => {
    const before = requestLines().length;
    const res = await fetch(`${server.url}/api/v2/messages?token=query-secret-value&password=hunter2-value`, {
      headers: {
        'sb-api-key-id': TEST_KEY_ID,
        'sb-api-secret-key': TEST_SECRET,
        authorization: 'Bearer bearer-secret',
      },
    });
    expect(res.status).toBe(400);
    await client.messages.send({ number: CONTACT, from_number: server.line, content: 'body-secret-content' });
    const bad = await fetch(`${server.url}/api/send-message`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'sb-api-key-id': TEST_KEY_ID,
        'sb-api-secret-key': 'wrong-secret-x',
      },
      body: JSON.stringify({ number: CONTACT, from_number: server.line, content: 'x' }),
    });
    expect(bad.status).toBe(401);
    await eventually(() => (requestLines().length >= before + 3 ? true : undefined));
    const raw = server.rawLogs();
    for (const secret of [
      TEST_SECRET,
      'wrong-secret-x',
      'bearer-secret',
      'query-secret-value',
      'hunter2-value',
      'body-secret-content',
    ]) {
      expect(raw).not.toContain(secret);
    }
    const unauthorized = requestLines().find((l) => l.status === 401);
    expect(unauthorized).toMatchObject({ method: 'POST', route: '/api/send-message' });
    expect(unauthorized).not.toHaveProperty('account');
  });

  it('logs a request no route matched without its path, and probes only at debug', async () => {
    await fetch(`${server.url}/no/such/path/secret-in-path`);
    await fetch(`${server.url}/healthz`);
    await fetch(`${server.url}/readyz`);
    const lines = await eventually(() => {
      const l = requestLines();
      return l.some((x) => x.route === '/readyz') ? l : undefined;
    });
    expect(lines.find((l) => l.route === '(unmatched)')).toMatchObject({ level: 30, status: 404, method: 'GET' });
    expect(server.rawLogs()).not.toContain('secret-in-path');
    for (const probe of ['/healthz', '/readyz']) {
      expect(lines.find((l) => l.route === probe)).toMatchObject({ level: 20, status: 200 });
    }
  });
});
