import { type IncomingMessage, type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import SendblueAPI from 'sendblue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, advanceClock, inject, messageCount } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

const MEMBERS = ['+19998887777', '+19998887778'];
const WINDOW_MS = 60_000;

interface Seen {
  path: string;
  retryCount: string | undefined;
  /** The upstream answer, as the server sent it (also for the attempt whose answer was dropped). */
  status: number;
  body: string;
}

/**
 * A proxy between the official SDK and Tapback that forwards every request, but destroys the
 * client's connection instead of answering the first one: the server has stored the send, the
 * SDK sees a connection error and retries, as it would after a timeout or a network cut.
 */
async function droppingProxy(target: string): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const forwarded = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (up: IncomingMessage) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            const body = Buffer.concat(parts);
            const first = seen.length === 0;
            const retry = req.headers['x-stainless-retry-count'];
            seen.push({
              path: req.url ?? '',
              retryCount: typeof retry === 'string' ? retry : undefined,
              status: up.statusCode ?? 0,
              body: body.toString('utf8'),
            });
            if (first) {
              req.socket.destroy();
              return;
            }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(body);
          });
        },
      );
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.each(SERVER_BACKENDS)('official SDK retries never duplicate a send ($name)', (backend) => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof droppingProxy>> | undefined;

  beforeAll(async () => {
    server = await startBackendServer(backend, {
      TAPBACK_CLOCK: 'manual',
      TAPBACK_RETRY_MATCH_WINDOW_MS: String(WINDOW_MS),
    });
  });
  afterAll(() => server.close());
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  const sdkThroughProxy = async () => {
    proxy = await droppingProxy(server.url);
    return { proxy, client: new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: proxy.url }) };
  };
  const count = () => messageCount(server, server.auth);

  it('answers a retried send with the first attempt’s message, storing one', async () => {
    const { proxy, client } = await sdkThroughProxy();
    const before = await count();
    const { data, response } = await client.messages
      .send({ number: CONTACT, from_number: server.line, content: 'retried once' })
      .withResponse();
    expect(proxy.seen.map((s) => [s.path, s.retryCount])).toEqual([
      ['/api/send-message', '0'],
      ['/api/send-message', '1'],
    ]);
    const first = JSON.parse(proxy.seen[0]?.body ?? '{}') as { message_handle?: string };
    expect(proxy.seen[0]?.status).toBe(200);
    expect(data.message_handle).toBe(first.message_handle);
    expect(response.headers.get('idempotent-replayed')).toBe('true');
    expect(await count()).toBe(before + 1);
  });

  it('answers a retried group send with the first attempt’s message, storing one', async () => {
    const { proxy, client } = await sdkThroughProxy();
    const before = await count();
    const data = (await client.groups.sendMessage({
      from_number: server.line,
      numbers: MEMBERS,
      content: 'group retried once',
    })) as { message_handle?: string };
    expect(proxy.seen.map((s) => s.retryCount)).toEqual(['0', '1']);
    const first = JSON.parse(proxy.seen[0]?.body ?? '{}') as { message_handle?: string };
    expect(data.message_handle).toBe(first.message_handle);
    expect(await count()).toBe(before + 1);
  });

  it('answers a retried carousel with the first attempt’s message, storing one', async () => {
    const { proxy, client } = await sdkThroughProxy();
    const before = await count();
    const data = (await client.sendCarousel.send({
      number: CONTACT,
      from_number: server.line,
      media_urls: ['https://cdn.example.com/a.jpg', 'https://cdn.example.com/b.jpg'],
    })) as { message_handle?: string };
    expect(proxy.seen.map((s) => [s.path, s.retryCount])).toEqual([
      ['/api/send-carousel', '0'],
      ['/api/send-carousel', '1'],
    ]);
    const first = JSON.parse(proxy.seen[0]?.body ?? '{}') as { message_handle?: string };
    expect(data.message_handle).toBe(first.message_handle);
    expect(await count()).toBe(before + 1);
  });

  it('stores two identical sends that are not retries as two messages', async () => {
    const client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url });
    const before = await count();
    const body = { number: CONTACT, from_number: server.line, content: 'twice on purpose' };
    const a = await client.messages.send(body);
    const b = await client.messages.send(body);
    expect(a.message_handle).not.toBe(b.message_handle);
    expect(await count()).toBe(before + 2);
  });

  it('stores identical first attempts sent at once (one commit batch) as that many messages', async () => {
    const before = await count();
    const payload = JSON.stringify({ number: CONTACT, from_number: server.line, content: 'burst' });
    const headers = { ...server.auth, 'content-type': 'application/json', 'x-stainless-retry-count': '0' };
    const all = await Promise.all(
      Array.from({ length: 5 }, () => inject(server, { method: 'POST', url: '/api/send-message', headers, payload })),
    );
    expect(all.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(all.map((r) => r.body)).size).toBe(5);
    expect(await count()).toBe(before + 5);
  });

  it('matches a retry to the latest identical first attempt, only within the window', async () => {
    const body = JSON.stringify({ content: 'windowed', from_number: server.line, number: CONTACT });
    const post = (retry: string | undefined, payload = body) =>
      inject(server, {
        method: 'POST',
        url: '/api/send-message',
        headers: {
          ...server.auth,
          'content-type': 'application/json',
          ...(retry === undefined ? {} : { 'x-stainless-retry-count': retry }),
        },
        payload,
      });
    const handle = (res: Awaited<ReturnType<typeof post>>) => (res.json() as { message_handle: string }).message_handle;
    const before = await count();
    await post(undefined);
    const latest = await post('0');
    // The same fields in another order are the same request.
    const reordered = JSON.stringify({ number: CONTACT, content: 'windowed', from_number: server.line });
    const retried = await post('2', reordered);
    expect(handle(retried)).toBe(handle(latest));
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(await count()).toBe(before + 2);

    await advanceClock(server, WINDOW_MS + 1);
    const late = await post('1');
    expect(late.statusCode).toBe(200);
    expect(handle(late)).not.toBe(handle(latest));
    expect(await count()).toBe(before + 3);
  });

  it('does not match a retry of another request', async () => {
    const before = await count();
    const headers = { ...server.auth, 'content-type': 'application/json', 'x-stainless-retry-count': '0' };
    const payload = (content: string) => JSON.stringify({ number: CONTACT, from_number: server.line, content });
    await inject(server, { method: 'POST', url: '/api/send-message', headers, payload: payload('one') });
    const other = await inject(server, {
      method: 'POST',
      url: '/api/send-message',
      headers: { ...headers, 'x-stainless-retry-count': '1' },
      payload: payload('two'),
    });
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(await count()).toBe(before + 2);
  });

  it('replays a group send under a repeated Idempotency-Key', async () => {
    const before = await count();
    const sendGroup = () =>
      inject(server, {
        method: 'POST',
        url: '/api/send-group-message',
        headers: { ...server.auth, 'content-type': 'application/json', 'idempotency-key': 'group-key-1' },
        payload: JSON.stringify({ from_number: server.line, numbers: MEMBERS, content: 'keyed group' }),
      });
    const a = await sendGroup();
    const b = await sendGroup();
    expect(a.statusCode, a.body).toBe(200);
    expect(b.body).toBe(a.body);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(await count()).toBe(before + 1);
  });

  it('accepts an Idempotency-Key on a typing indicator', async () => {
    const res = await inject(server, {
      method: 'POST',
      url: '/api/send-typing-indicator',
      headers: { ...server.auth, 'content-type': 'application/json', 'idempotency-key': 'typing-key-1' },
      payload: JSON.stringify({ number: CONTACT, from_number: server.line }),
    });
    expect(res.statusCode, res.body).toBe(200);
    const bad = await inject(server, {
      method: 'POST',
      url: '/api/send-typing-indicator',
      headers: { ...server.auth, 'content-type': 'application/json', 'idempotency-key': 'has space' },
      payload: JSON.stringify({ number: CONTACT, from_number: server.line }),
    });
    expect(bad.statusCode).toBe(400);
  });
});
