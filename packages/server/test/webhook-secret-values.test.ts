import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import { startReceiver } from './support/webhook-receiver.js';

/**
 * Entry secrets and the globalSecret are sent as the `sb-signing-secret` header, so a value that
 * is not a valid header value is refused when it is set, not accepted and then failing every
 * delivery.
 */
describe('webhook secrets that cannot be sent as a header', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ TAPBACK_SANDBOX_SENT_DELAY_MS: '5', TAPBACK_WORKER_POLL_MS: '50' });
  });
  afterAll(async () => {
    await t.close();
  });

  const call = async (method: 'POST' | 'PUT', payload: unknown) => {
    const res = await t.server.app.inject({
      method,
      url: '/api/account/webhooks',
      headers: t.auth,
      payload: payload as object,
    });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };

  const BAD = [
    ['a CR/LF', 's1\r\nx-injected: 1'],
    ['a LF', 'line1\nline2'],
    ['a control character', 'a\u0001b'],
    ['a character past Latin-1', 'secret-€'],
    ['leading whitespace', ' padded'],
  ] as const;

  it.each(BAD)('refuses an entry secret with %s, naming the field', async (_what, secret) => {
    const { status, body } = await call('POST', {
      webhooks: ['http://127.0.0.1:9/ok', { url: 'http://127.0.0.1:9/a', secret }],
      type: 'outbound',
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ status: 'ERROR', code: 'validation_failed' });
    expect(body.details).toEqual([{ field: 'webhooks[1].secret', message: expect.stringMatching(/header/) }]);
  });

  it.each(BAD)('refuses a globalSecret with %s, on POST and PUT', async (_what, secret) => {
    const post = await call('POST', { webhooks: ['http://127.0.0.1:9/a'], globalSecret: secret });
    expect(post.status).toBe(400);
    expect(post.body).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/^globalSecret /) });
    const put = await call('PUT', { webhooks: { receive: ['http://127.0.0.1:9/a'], globalSecret: secret } });
    expect(put.status).toBe(400);
    expect(put.body).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/^webhooks\.globalSecret /),
    });
    // Nothing was stored by the refused requests.
    const get = await t.server.app.inject({ method: 'GET', url: '/api/account/webhooks', headers: t.auth });
    expect((get.json() as { webhooks: { globalSecret?: string } }).webhooks.globalSecret).not.toBe(secret);
  });

  it('accepts a Latin-1 secret, and deliveries carry it', async () => {
    const r = await startReceiver();
    try {
      const { status } = await call('PUT', {
        webhooks: { outbound: [{ url: `${r.url}/out`, secret: 'café-secret' }], globalSecret: 'global ok' },
      });
      expect(status).toBe(200);
      const sent = await fetch(`${t.url}/api/send-message`, {
        method: 'POST',
        headers: { ...t.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ number: '+19998887777', from_number: t.line, content: 'hi' }),
      });
      expect(sent.status).toBe(200);
      const [first] = await r.waitFor(1, 10_000);
      expect(first!.headers['sb-signing-secret']).toBe('café-secret');
    } finally {
      await r.close();
    }
  });
});
