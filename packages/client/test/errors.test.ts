import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/support/test-server.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  Tapback,
  TapbackError,
  UnprocessableEntityError,
} from '../src/index.js';
import { type FakeServer, sendError, startFakeServer } from './support/fake-server.js';

let server: TestServer;
let client: Tapback;

beforeAll(async () => {
  server = await startTestServer();
  client = new Tapback({
    baseURL: server.url,
    apiKey: server.auth['sb-api-key-id'],
    apiSecret: server.auth['sb-api-secret-key'],
  });
});

afterAll(async () => {
  await server.close();
});

async function failure(promise: PromiseLike<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('errors from a real Tapback server', () => {
  it('bad credentials -> AuthenticationError (401, code unauthorized)', async () => {
    const wrong = new Tapback({ baseURL: server.url, apiKey: 'test-key-id-0001', apiSecret: 'not-the-secret-at-all' });
    const error = await failure(wrong.messages.list());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(TapbackError);
    expect(error).toMatchObject({ name: 'AuthenticationError', status: 401, code: 'unauthorized', errorCode: null });
    expect(error.headers).toBeInstanceOf(Headers);
    expect(error.body).toMatchObject({ status: 'ERROR', code: 'unauthorized', error_message: expect.any(String) });
    expect(error.message).toMatch(/^401 Unauthorized/);
  });

  it('unknown handle -> NotFoundError (404, code not_found) from getStatus and retrieve', async () => {
    for (const call of [client.messages.getStatus({ handle: 'no-such-handle' }), client.messages.retrieve('no-such')]) {
      const error = await failure(call);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'not_found', message: '404 Message not found' });
    }
  });

  it('invalid number -> BadRequestError (400) with code, error_code and details', async () => {
    const error = await failure(client.messages.send({ number: '555-1234', from_number: server.line, content: 'x' }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_phone_number', errorCode: 4000 });
    expect(error.details).toEqual([{ field: 'number', message: expect.any(String) }]);

    const blocked = await failure(client.messages.send({ number: '+1911', from_number: server.line, content: 'x' }));
    expect(blocked).toMatchObject({ status: 400, code: 'blacklisted_number', errorCode: 4002 });
  });

  it('a reused Idempotency-Key with another body -> UnprocessableEntityError (422)', async () => {
    const idempotencyKey = `reuse-${Date.now()}`;
    await client.messages.send(
      { number: '+15554440001', from_number: server.line, content: 'one' },
      { idempotencyKey },
    );
    const error = await failure(
      client.messages.send({ number: '+15554440001', from_number: server.line, content: 'two' }, { idempotencyKey }),
    );
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });

  it('the list rate limit -> RateLimitError (429) with Retry-After', async () => {
    const limited = await startTestServer({ TAPBACK_LIST_RATE_MAX: '3' });
    try {
      const c = new Tapback({
        baseURL: limited.url,
        apiKey: limited.auth['sb-api-key-id'],
        apiSecret: limited.auth['sb-api-secret-key'],
        maxRetries: 0,
      });
      for (let i = 0; i < 3; i++) await c.messages.list({ limit: 1 });
      const error = await failure(c.messages.list({ limit: 1 }));
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ status: 429, code: 'rate_limited', errorCode: 4001 });
      expect(Number(error.headers?.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('retries a 429 after the server’s Retry-After and then succeeds', async () => {
    const limited = await startTestServer({ TAPBACK_LIST_RATE_MAX: '1', TAPBACK_LIST_RATE_WINDOW_MS: '1000' });
    try {
      const c = new Tapback({
        baseURL: limited.url,
        apiKey: limited.auth['sb-api-key-id'],
        apiSecret: limited.auth['sb-api-secret-key'],
        maxRetries: 1,
      });
      await c.messages.list({ limit: 1 });
      const started = Date.now();
      const page = await c.messages.list({ limit: 1 });
      expect(page.status).toBe('OK');
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      await limited.close();
    }
  });
});

describe('errors the real server does not produce, from a scripted server', () => {
  let fake: FakeServer;
  let scripted: Tapback;

  beforeAll(async () => {
    fake = await startFakeServer((req, res) => {
      const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('handle'));
      if (status === 502) {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>');
      } else if (status === 200) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('not json');
      } else {
        sendError(res, status, `scripted_${status}`, `scripted ${status}`);
      }
    });
    scripted = new Tapback({ baseURL: fake.url, apiKey: 'k', apiSecret: 's', maxRetries: 0 });
  });

  afterAll(async () => {
    await fake.close();
  });

  it.each([
    [403, PermissionDeniedError],
    [409, ConflictError],
    [500, InternalServerError],
    [503, InternalServerError],
    [418, APIError],
  ])('status %i -> %o', async (status, ErrorClass) => {
    const error = await failure(scripted.messages.getStatus({ handle: String(status) }));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.constructor).toBe(ErrorClass);
    expect(error).toMatchObject({ status, code: `scripted_${status}`, message: `${status} scripted ${status}` });
  });

  it('keeps a non-JSON error body as text', async () => {
    const error = await failure(scripted.messages.getStatus({ handle: '502' }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, body: '<html>Bad gateway</html>', code: undefined });
    expect(error.message).toBe('502 <html>Bad gateway</html>');
  });

  it('reports a 2xx that is not JSON instead of returning it', async () => {
    const error = await failure(scripted.messages.getStatus({ handle: '200' }));
    expect(error.constructor).toBe(APIError);
    expect(error).toMatchObject({ status: 200, body: 'not json' });
  });

  it('a refused connection -> APIConnectionError, not a timeout', async () => {
    const gone = await startFakeServer(() => undefined);
    await gone.close();
    const c = new Tapback({ baseURL: gone.url, apiKey: 'k', apiSecret: 's', maxRetries: 0 });
    const error = await failure(c.messages.getStatus({ handle: 'x' }));
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect(error).toMatchObject({ status: undefined, headers: undefined, message: 'Connection error.' });
    expect(error.cause).toBeDefined();
  });
});
