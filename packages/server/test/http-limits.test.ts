import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTenant } from './support/api-helpers.js';
import { startTestServer, type TestServer } from './support/test-server.js';

/**
 * The HTTP surface against clients that hold connections open or send what Node's parser
 * refuses, over real sockets on loopback (`inject()` bypasses Node's parser and socket handling).
 */

interface RawResult {
  /** Everything the server sent before it closed the connection. */
  text: string;
  /** Milliseconds from connecting to the close. */
  closedAfterMs: number;
}

function portOf(t: TestServer): number {
  return Number(new URL(t.url).port);
}

/** Opens a socket, writes `chunks` and resolves once the server closes it (or after `timeoutMs`). */
function raw(t: TestServer, chunks: (string | Buffer)[], timeoutMs = 5000): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(portOf(t), '127.0.0.1');
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(received).toString('latin1'), closedAfterMs: Date.now() - started });
    });
  });
}

function parseResponse(text: string): { status: number; headers: string; body: Record<string, unknown> } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
    headers: head.toLowerCase(),
    body: JSON.parse(body) as Record<string, unknown>,
  };
}

function expectApiError(text: string, status: number, code: string): void {
  const r = parseResponse(text);
  expect(r.status).toBe(status);
  expect(r.headers).toContain('content-type: application/json');
  expect(r.body).toMatchObject({ status: 'ERROR', code, error_message: r.body.message });
  expect(typeof r.body.message).toBe('string');
}

describe('a slow-header client and requests Node refuses', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ TAPBACK_HTTP_HEADERS_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 408 request_timeout and closes a connection whose headers trickle in past the timeout', async () => {
    // The request line and one header, then nothing: the headers never complete.
    const r = await raw(t, ['GET /healthz HTTP/1.1\r\nHost: x\r\n'], 5000);
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(r.closedAfterMs).toBeLessThan(3500);
    expectApiError(r.text, 408, 'request_timeout');
  });

  it('answers a NUL byte in a header with 400 malformed_request in the API’s error JSON', async () => {
    const r = await raw(t, [Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n', 'latin1')]);
    expectApiError(r.text, 400, 'malformed_request');
  });

  it('answers oversized headers with 431 headers_too_large in the API’s error JSON', async () => {
    const r = await raw(t, [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    expectApiError(r.text, 431, 'headers_too_large');
  });

  it('still serves a well-formed request on a socket', async () => {
    const r = await raw(t, ['GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(parseResponse(r.text).status).toBe(200);
  });
});

describe('the connection cap', () => {
  const CAP = 5;
  let t: TestServer;
  const held: Socket[] = [];

  beforeAll(async () => {
    t = await startTestServer({ TAPBACK_HTTP_MAX_CONNECTIONS: String(CAP) });
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await t.close();
  });

  /** A connected socket that sends nothing and stays open. */
  const hold = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect(portOf(t), '127.0.0.1');
      s.on('connect', () => resolve(s));
      s.on('error', reject);
      held.push(s);
    });

  const openCount = (): Promise<number> =>
    new Promise((resolve, reject) =>
      t.server.app.server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
    );

  it('closes connections beyond the cap at once, and serves again once below it', async () => {
    for (let i = 0; i < CAP; i++) await hold();
    for (let i = 0; i < 50 && (await openCount()) < CAP; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await openCount()).toBe(CAP);

    const refused = await raw(t, ['GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], 3000);
    expect(refused.text).toBe('');
    expect(refused.closedAfterMs).toBeLessThan(1000);

    held.pop()?.destroy();
    for (let i = 0; i < 50 && (await openCount()) >= CAP; i++) await new Promise((r) => setTimeout(r, 20));
    const served = await raw(t, ['GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], 3000);
    expect(parseResponse(served.text).status).toBe(200);
  });
});

describe('replay rate limit', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ TAPBACK_CLOCK: 'manual', TAPBACK_REPLAY_RATE_MAX: '3' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers replay L+1 in the window with 429 rate_limited and Retry-After, queueing nothing', async () => {
    const other = await addTenant(t, 'replays@example.com', '+15550007000');
    const { store } = t.server;
    const accountOf = async (auth: Record<string, string>) =>
      (await store.findApiKey(auth['sb-api-key-id'] ?? ''))?.accountId ?? 0;
    const bootstrapId = await accountOf(t.auth);
    const delivery = (accountId: number) => ({
      accountId,
      kind: 'status_callback' as const,
      endpointId: null,
      url: 'http://127.0.0.1:9/cb',
      messageId: null,
      messageHandle: null,
      statusSeq: null,
      payload: '{}',
    });
    await store.enqueueWebhooks([delivery(bootstrapId), delivery(other.accountId)], Date.now());
    const idOf = async (auth: Record<string, string>) => {
      const res = await t.server.app.inject({ method: 'GET', url: '/api/account/webhooks/deliveries', headers: auth });
      return (res.json() as { data: { id: number }[] }).data.at(-1)?.id;
    };
    const replay = (auth: Record<string, string>, id: number | undefined) =>
      t.server.app.inject({ method: 'POST', url: `/api/account/webhooks/deliveries/${id}/replay`, headers: auth });
    const countOf = async (auth: Record<string, string>) => {
      const res = await t.server.app.inject({ method: 'GET', url: '/api/account/webhooks/deliveries', headers: auth });
      return (res.json() as { pagination: { total: number } }).pagination.total;
    };

    const mine = await idOf(t.auth);
    for (let i = 0; i < 3; i++) expect((await replay(t.auth, mine)).statusCode).toBe(200);
    expect(await countOf(t.auth)).toBe(4);
    const limited = await replay(t.auth, mine);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ status: 'ERROR', code: 'rate_limited', error_code: 4001 });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(await countOf(t.auth)).toBe(4);

    // Another account, and the account's other routes, are not limited by it.
    expect((await replay(other.auth, await idOf(other.auth))).statusCode).toBe(200);
    expect(await countOf(t.auth)).toBe(4);
  });
});
