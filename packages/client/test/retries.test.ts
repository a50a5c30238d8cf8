import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/support/test-server.js';
import { APIConnectionError, InternalServerError, Tapback } from '../src/index.js';
import {
  type FakeHandler,
  type FakeServer,
  forward,
  relay,
  sendError,
  startFakeServer,
} from './support/fake-server.js';

let server: TestServer;
let proxy: FakeServer | undefined;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** A client that talks to Tapback through a proxy scripted by `handler`. */
async function throughProxy(handler: FakeHandler, maxRetries = 2): Promise<{ client: Tapback; proxy: FakeServer }> {
  proxy = await startFakeServer(handler);
  const client = new Tapback({
    baseURL: proxy.url,
    apiKey: server.auth['sb-api-key-id'],
    apiSecret: server.auth['sb-api-secret-key'],
    maxRetries,
  });
  return { client, proxy };
}

/** How many messages the real server holds for `number`. */
async function countFor(number: string): Promise<number> {
  const direct = new Tapback({
    baseURL: server.url,
    apiKey: server.auth['sb-api-key-id'],
    apiSecret: server.auth['sb-api-secret-key'],
  });
  const page = await direct.messages.list({ number });
  return page.pagination?.total ?? -1;
}

describe('retrying a send', () => {
  it('survives a connection dropped after the server stored the message: one message, one key', async () => {
    const number = '+15556660001';
    const { client, proxy } = await throughProxy(async (_req, res, recorded, index) => {
      if (index === 0) {
        // The send reaches Tapback and is stored, but its answer is lost on the way back.
        await forward(recorded, server.url);
        res.socket?.destroy();
        return;
      }
      await relay(res, recorded, server.url);
    });

    const { data, response } = await client.messages
      .send({ number, from_number: server.line, content: 'dropped once' })
      .withResponse();

    expect(data.status).toBe('QUEUED');
    expect(response.headers.get('idempotent-replayed')).toBe('true');
    expect(proxy.requests).toHaveLength(2);
    const keys = proxy.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(await countFor(number)).toBe(1);
  });

  it('retries a 503, then gets through: one message', async () => {
    const number = '+15556660002';
    const { client, proxy } = await throughProxy(async (_req, res, recorded, index) => {
      if (index === 0) return sendError(res, 503, 'unavailable', 'try again', { 'retry-after-ms': '10' });
      await relay(res, recorded, server.url);
    });

    const message = await client.messages.send({ number, from_number: server.line, content: 'after a 503' });

    expect(message.status).toBe('QUEUED');
    expect(proxy.requests).toHaveLength(2);
    expect(proxy.requests[1]?.headers['idempotency-key']).toBe(proxy.requests[0]?.headers['idempotency-key']);
    expect(await countFor(number)).toBe(1);
  });

  it('retries a 502 that hid a stored message, and the replay returns the same message', async () => {
    const number = '+15556660003';
    let first: string | undefined;
    const { client } = await throughProxy(async (_req, res, recorded, index) => {
      if (index === 0) {
        first = (await forward(recorded, server.url)).body;
        return sendError(res, 502, 'bad_gateway', 'upstream answer lost', { 'retry-after-ms': '0' });
      }
      await relay(res, recorded, server.url);
    });

    const message = await client.messages.send({ number, from_number: server.line, content: 'hidden by a 502' });

    expect(message.message_handle).toBe((JSON.parse(first!) as { message_handle: string }).message_handle);
    expect(await countFor(number)).toBe(1);
  });

  it('uses a caller-supplied idempotency key, and a fresh key for each other call', async () => {
    const { client, proxy } = await throughProxy((_req, res, recorded) => relay(res, recorded, server.url));
    const params = { number: '+15556660004', from_number: server.line, content: 'keys' };
    const mine = await client.messages.send(params, { idempotencyKey: 'my-key-0001' });
    const again = await client.messages.send(params, { idempotencyKey: 'my-key-0001' });
    await client.messages.send(params);
    await client.messages.send(params);
    const keys = proxy.requests.map((r) => r.headers['idempotency-key']);
    expect(keys.slice(0, 2)).toEqual(['my-key-0001', 'my-key-0001']);
    expect(new Set(keys).size).toBe(3);
    expect(again.message_handle).toBe(mine.message_handle);
    expect(await countFor('+15556660004')).toBe(3);
  });

  it('sends no idempotency key on GETs, and the auth and JSON headers on every request', async () => {
    const { client, proxy } = await throughProxy((_req, res, recorded) => relay(res, recorded, server.url));
    await client.messages.list({ limit: 1 }, { headers: { 'x-trace': 'abc' } });
    expect(proxy.requests[0]?.headers).toMatchObject({
      'sb-api-key-id': server.auth['sb-api-key-id'],
      'sb-api-secret-key': server.auth['sb-api-secret-key'],
      accept: 'application/json',
      'user-agent': expect.stringMatching(/^tapback-client\/\d+\.\d+\.\d+/),
      'x-trace': 'abc',
    });
    expect(proxy.requests[0]?.headers['idempotency-key']).toBeUndefined();
    expect(proxy.requests[0]?.url).toBe('/api/v2/messages?limit=1');
  });
});

describe('retry rules on the wire', () => {
  it('gives up after maxRetries and reports the last answer', async () => {
    const { client, proxy } = await throughProxy((_req, res) =>
      sendError(res, 503, 'unavailable', 'still down', { 'retry-after-ms': '0' }),
    );
    const error = await client.messages.getStatus({ handle: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(proxy.requests).toHaveLength(3);

    const once = await client.messages.getStatus({ handle: 'x' }, { maxRetries: 0 }).catch((e: unknown) => e);
    expect(once).toBeInstanceOf(InternalServerError);
    expect(proxy.requests).toHaveLength(4);
  });

  it('does not retry when the server says x-should-retry: false', async () => {
    const { client, proxy } = await throughProxy((_req, res) =>
      sendError(res, 500, 'internal_error', 'stored, do not retry', { 'x-should-retry': 'false' }),
    );
    await expect(client.messages.getStatus({ handle: 'x' })).rejects.toBeInstanceOf(InternalServerError);
    expect(proxy.requests).toHaveLength(1);
  });

  it('retries a 400 when the server says x-should-retry: true', async () => {
    const { client, proxy } = await throughProxy(async (_req, res, recorded, index) => {
      if (index === 0)
        return sendError(res, 400, 'flaky', 'retry me', { 'x-should-retry': 'true', 'retry-after-ms': '0' });
      await relay(res, recorded, server.url);
    });
    const page = await client.messages.list({ limit: 1 });
    expect(page.status).toBe('OK');
    expect(proxy.requests).toHaveLength(2);
  });

  it('waits as long as retry-after-ms asks', async () => {
    const { client, proxy } = await throughProxy(async (_req, res, recorded, index) => {
      if (index === 0) return sendError(res, 429, 'rate_limited', 'slow down', { 'retry-after-ms': '300' });
      await relay(res, recorded, server.url);
    });
    const started = Date.now();
    await client.messages.list({ limit: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(proxy.requests).toHaveLength(2);
  });

  it('retries dropped connections with backoff, then reports APIConnectionError', async () => {
    const { client, proxy } = await throughProxy((_req, res) => void res.socket?.destroy(), 1);
    const started = Date.now();
    const error = await client.messages.getStatus({ handle: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(proxy.requests).toHaveLength(2);
    // One backoff of 0.5 s less at most 25 % jitter.
    expect(Date.now() - started).toBeGreaterThanOrEqual(370);
  });
});
