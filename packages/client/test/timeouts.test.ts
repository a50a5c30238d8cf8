import { afterEach, describe, expect, it } from 'vitest';
import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, Tapback } from '../src/index.js';
import { type FakeHandler, type FakeServer, sendError, startFakeServer } from './support/fake-server.js';

let fake: FakeServer | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function clientFor(handler: FakeHandler, options: { timeout?: number; maxRetries?: number } = {}) {
  fake = await startFakeServer(handler);
  return { client: new Tapback({ baseURL: fake.url, apiKey: 'k', apiSecret: 's', ...options }), fake };
}

const hang: FakeHandler = () => undefined;

describe('timeouts', () => {
  it('a server that never answers -> APIConnectionTimeoutError after `timeout`', async () => {
    const { client, fake } = await clientFor(hang, { timeout: 150, maxRetries: 0 });
    const started = Date.now();
    const error = await client.messages.getStatus({ handle: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).toMatchObject({
      name: 'APIConnectionTimeoutError',
      message: 'Request timed out.',
      status: undefined,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(fake.requests).toHaveLength(1);
  });

  it('covers the body too: headers then silence still times out', async () => {
    const { client } = await clientFor((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
    });
    const error = await client.messages
      .getStatus({ handle: 'x' }, { timeout: 150, maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('retries a timed-out attempt, each attempt getting the full timeout', async () => {
    const { client, fake } = await clientFor(hang);
    const error = await client.messages
      .send({ number: '+19998887777', from_number: '+15550001000', content: 'x' }, { timeout: 100, maxRetries: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]?.headers['idempotency-key']).toBe(fake.requests[0]?.headers['idempotency-key']);
  });
});

describe('AbortSignal', () => {
  it('aborts a request in flight with APIUserAbortError, without retrying', async () => {
    const { client, fake } = await clientFor(hang);
    const error = await client.messages
      .getStatus({ handle: 'x' }, { signal: AbortSignal.timeout(100) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(fake.requests).toHaveLength(1);
  });

  it('aborts the wait between retries', async () => {
    const { client, fake } = await clientFor((_req, res) =>
      sendError(res, 503, 'unavailable', 'later', { 'retry-after': '30' }),
    );
    const started = Date.now();
    const error = await client.messages
      .getStatus({ handle: 'x' }, { signal: AbortSignal.timeout(150) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.requests).toHaveLength(1);
  });

  it('does not send at all when the signal has already fired', async () => {
    const { client, fake } = await clientFor(hang);
    const controller = new AbortController();
    controller.abort();
    await expect(client.messages.list({}, { signal: controller.signal })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(fake.requests).toHaveLength(0);
  });

  it('stops waitFor', async () => {
    const queued = JSON.stringify({ message_handle: 'h', status: 'QUEUED' });
    const { client } = await clientFor((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(queued);
    });
    const error = await client.messages
      .waitFor('h', { intervalMs: 20, signal: AbortSignal.timeout(100) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
  });
});
