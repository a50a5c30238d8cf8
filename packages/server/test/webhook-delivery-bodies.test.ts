import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTenant, bootstrapTenant, type Tenant } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { type BodyAnswer, type BodyReceiver, startBodyReceiver } from './support/body-receiver.js';
import { type TestServer, startBackendServer } from './support/test-server.js';
import { eventually } from './support/webhook-receiver.js';

/**
 * What the delivery log keeps of each attempt: the excerpt of the endpoint's answer (at most
 * 1,024 bytes, and its content type), and, through `GET /api/account/webhooks/deliveries/:id`,
 * the exact request that was signed and sent. A body larger than the excerpt, or one that never
 * ends, must not hold the attempt.
 */

const TIMEOUT_MS = 4_000;
const FAILURE = JSON.stringify({ error: 'database unavailable', retry: true });
const BIG = 'x'.repeat(50 * 1024);
const DRIP_FIRST = 'd'.repeat(1024);
/** Sent verbatim as `sb-signing-secret`; the log keeps it redacted. */
const SHARED = 'shared-s3cret-value';

interface Attempt {
  http_status: number | null;
  latency_ms: number;
  response_excerpt: string | null;
  response_content_type: string | null;
}

interface Delivery {
  id: number;
  url: string;
  webhook_id: string;
  attempt_log: Attempt[];
}

/** Answers per path: /fail 500 JSON, /big 200 with 50 KB, /drip 1 KB then silence. */
function answer(path: string): BodyAnswer {
  if (path === '/fail') return { status: 500, headers: { 'content-type': 'application/json' }, body: FAILURE };
  if (path === '/big') return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: BIG };
  return { status: 200, headers: { 'content-type': 'text/plain' }, body: DRIP_FIRST, hold: true };
}

describe.each(SERVER_BACKENDS)('webhook delivery bodies ($name)', (backend) => {
  let t: TestServer;
  let a: Tenant;
  let b: Tenant;
  let receiver: BodyReceiver;
  let log: Delivery[];

  async function call(tenant: Tenant, method: string, path: string, body?: unknown) {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { ...tenant.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const byPath = (path: string): Delivery => {
    const d = log.find((x) => x.url === `${receiver.url}${path}`);
    if (d === undefined) throw new Error(`no delivery to ${path}`);
    return d;
  };

  beforeAll(async () => {
    receiver = await startBodyReceiver(answer);
    t = await startBackendServer(backend, {
      TAPBACK_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      TAPBACK_WEBHOOK_RETRY_SCHEDULE: '0',
    });
    a = await bootstrapTenant(t);
    b = await addTenant(t, 'other@example.com', '+15559990000');
    const put = await call(a, 'PUT', '/api/account/webhooks', {
      webhooks: { receive: ['/fail', '/big', '/drip'].map((p) => `${receiver.url}${p}`), globalSecret: SHARED },
    });
    expect(put.status).toBe(200);
    const inbound = await call(a, 'POST', '/sandbox/inbound', { from: '+19998887777', to: a.line, content: 'hi' });
    expect(inbound.status).toBe(200);
    log = await eventually(async () => {
      const page = (await call(a, 'GET', '/api/account/webhooks/deliveries')).body.data as Delivery[];
      return page.length === 3 && page.every((d) => d.attempt_log.length === 1) ? page : undefined;
    }, TIMEOUT_MS * 3);
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('keeps the body of a failed answer and its content type', () => {
    expect(byPath('/fail').attempt_log[0]).toMatchObject({
      http_status: 500,
      response_excerpt: FAILURE,
      response_content_type: 'application/json',
    });
  });

  it('keeps only the first 1,024 bytes of a large answer', () => {
    const attempt = byPath('/big').attempt_log[0]!;
    expect(attempt).toMatchObject({ http_status: 200, response_content_type: 'text/plain; charset=utf-8' });
    expect(attempt.response_excerpt).toBe(BIG.slice(0, 1024));
    expect(Buffer.byteLength(attempt.response_excerpt ?? '')).toBeLessThanOrEqual(1024);
  });

  it('records an answer whose body never ends once the excerpt is read, well inside the timeout', () => {
    const attempt = byPath('/drip').attempt_log[0]!;
    expect(attempt).toMatchObject({ http_status: 200, response_excerpt: DRIP_FIRST });
    expect(attempt.latency_ms).toBeLessThan(TIMEOUT_MS / 2);
  });

  it('retrieves a delivery with the exact request that arrived, its shared secret redacted', async () => {
    for (const path of ['/fail', '/big', '/drip']) {
      const d = byPath(path);
      const res = await call(a, 'GET', `/api/account/webhooks/deliveries/${d.id}`);
      expect(res.status).toBe(200);
      const data = res.body.data as Delivery & {
        request: { url: string; headers: Record<string, string>; body: string };
      };
      const got = receiver.arrived.find((r) => r.path === path)!;
      expect(data).toMatchObject({ id: d.id, webhook_id: d.webhook_id, attempt_log: d.attempt_log });
      expect(data.request.url).toBe(`${receiver.url}${path}`);
      expect(data.request.body).toBe(got.body);
      expect(JSON.parse(data.request.body)).toEqual(JSON.parse(got.body));
      for (const name of ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']) {
        expect(data.request.headers[name], name).toBe(got.headers[name]);
      }
      expect(data.request.headers['webhook-id']).toBe(d.webhook_id);
      expect(got.headers['sb-signing-secret']).toBe(SHARED);
      expect(data.request.headers['sb-signing-secret']).toBe('[redacted]');
      expect(JSON.stringify(res.body)).not.toContain(SHARED);
    }
  });

  it("answers 404 for another account's delivery, as for a missing one", async () => {
    const id = byPath('/fail').id;
    const other = await call(b, 'GET', `/api/account/webhooks/deliveries/${id}`);
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ status: 'ERROR', code: 'not_found' });
    const missing = await call(a, 'GET', '/api/account/webhooks/deliveries/999999');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe(other.body.code);
    expect(missing.body.message).toBe(other.body.message);
  });
});
