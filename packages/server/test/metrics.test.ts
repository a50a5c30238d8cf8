import SendblueAPI from 'sendblue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildHealthApp } from '../src/api/health-app.js';
import { ServerMetrics } from '../src/api/metrics.js';
import { isLoopbackHost, metricsAccess } from '../src/api/metrics-route.js';
import { CONTACT } from './support/api-helpers.js';
import { SERVER_BACKENDS, sqliteServerBackend } from './support/backends.js';
import { type LoggedServer, startLoggedServer } from './support/logged-server.js';
import { sampleValue } from './support/prometheus-text.js';
import { TEST_KEY_ID, TEST_SECRET, startBackendServer } from './support/test-server.js';
import { type Receiver, eventually, startReceiver } from './support/webhook-receiver.js';

const FAST = {
  TAPBACK_SANDBOX_SENT_DELAY_MS: '5',
  TAPBACK_SANDBOX_DELIVERED_DELAY_MS: '10',
  TAPBACK_WEBHOOK_RETRY_SCHEDULE: '0,20ms,20ms',
  TAPBACK_WEBHOOK_TIMEOUT_MS: '2000',
  TAPBACK_WORKER_POLL_MS: '50',
};

async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

describe.each(SERVER_BACKENDS)('/metrics after real traffic ($name)', (backend) => {
  let server: LoggedServer;
  let client: SendblueAPI;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    server = await startLoggedServer(backend, FAST, 'info');
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(() => server.close());

  it('counts requests, messages, status changes, webhook attempts and store calls, and reads the queue', async () => {
    const ok = await startReceiver(() => 200);
    const failing = await startReceiver(() => 500);
    receivers.push(ok, failing);
    for (const callback of [`${ok.url}/cb`, `${ok.url}/cb`, `${failing.url}/cb`]) {
      await client.messages.send({
        number: CONTACT,
        from_number: server.line,
        content: 'm',
        status_callback: callback,
      });
    }
    // SENT and DELIVERED for each of the two; the failing endpoint is tried 3 times for each status.
    await ok.waitFor(4);
    await failing.waitFor(6);
    const text = await eventually(async () => {
      const t = await scrape(server.url);
      const failed = sampleValue(t, 'tapback_webhook_attempts_total', { outcome: 'http_error' }) ?? 0;
      // The last attempt's outcome commits just after it is counted.
      return failed >= 6 && sampleValue(t, 'tapback_webhook_deliveries_pending') === 0 ? t : undefined;
    });
    const send = { method: 'POST', route: '/api/send-message', status: '200' };
    expect(sampleValue(text, 'tapback_http_request_duration_seconds_count', send)).toBe(3);
    expect(sampleValue(text, 'tapback_http_request_duration_seconds_bucket', { ...send, le: '+Inf' })).toBe(3);
    expect(sampleValue(text, 'tapback_messages_accepted_total', { provider: 'sandbox', type: 'message' })).toBe(3);
    for (const status of ['SENT', 'DELIVERED']) {
      expect(sampleValue(text, 'tapback_message_status_changes_total', { provider: 'sandbox', status })).toBe(3);
    }
    expect(sampleValue(text, 'tapback_webhook_attempts_total', { outcome: 'success' })).toBe(4);
    expect(sampleValue(text, 'tapback_webhook_attempt_duration_seconds_count', { outcome: 'success' })).toBe(4);
    expect(
      sampleValue(text, 'tapback_store_call_duration_seconds_count', { method: 'acceptOutbound', outcome: 'ok' }),
    ).toBe(3);
    expect(sampleValue(text, 'tapback_lines', { status: 'online' })).toBeGreaterThanOrEqual(1);
    // Everything has been delivered or given up: the queue is empty.
    // The scrape itself is counted once it has been answered.
    const next = await scrape(server.url);
    const scrapes = { method: 'GET', route: '/metrics', status: '200' };
    expect(sampleValue(next, 'tapback_http_request_duration_seconds_count', scrapes)).toBeGreaterThanOrEqual(1);
    expect(text).not.toMatch(/^tapback_jobs\{/m);
    expect(sampleValue(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    if (backend.name === 'postgres') {
      expect(sampleValue(text, 'tapback_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
      // Queries wait while the pool opens a connection for them: any count is possible.
      expect(sampleValue(text, 'tapback_db_pool_waiting')).toBeGreaterThanOrEqual(0);
    } else {
      expect(text).not.toContain('tapback_db_pool');
    }
    // Each failed attempt is one warn line naming the delivery and the reason.
    const failures = server.logs().filter((l) => l.component === 'webhooks' && l.level === 40);
    expect(failures).toHaveLength(6);
    expect(failures[0]).toMatchObject({ error: 'HTTP 500', httpStatus: 500, url: `${failing.url}/cb` });
  });

  it('shows jobs waiting in the queue by kind and state', async () => {
    // Sends stay QUEUED while the sandbox takes a minute to report them sent.
    const slow = await startBackendServer(backend, { TAPBACK_SANDBOX_SENT_DELAY_MS: '60000' });
    try {
      const slowClient = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: slow.url });
      await slowClient.messages.send({ number: CONTACT, from_number: slow.line, content: 'waits' });
      const text = await eventually(async () => {
        const t = await scrape(slow.url);
        return sampleValue(t, 'tapback_jobs', { kind: 'status', state: 'scheduled' }) === 1 ? t : undefined;
      });
      expect(sampleValue(text, 'tapback_jobs', { kind: 'send', state: 'due' })).toBeUndefined();
    } finally {
      await slow.close();
    }
  });
});

describe('webhook attempts the SSRF guard blocks at delivery time', () => {
  it('are logged once with the reason and counted as blocked, and never connect', async () => {
    const receiver = await startReceiver(() => 200);
    const server = await startLoggedServer(
      sqliteServerBackend,
      { ...FAST, TAPBACK_ALLOW_PRIVATE_CIDRS: 'none' },
      'info',
    );
    try {
      const account = await server.server.store.findAccountByEmail('dev@tapback.local');
      // A stored URL whose address turns out private when dialled (a name that now resolves to
      // loopback): the send-time check could not see it, the guard does.
      await server.server.store.enqueueWebhooks(
        [
          {
            accountId: account!.id,
            kind: 'status_callback',
            endpointId: null,
            url: `${receiver.url}/cb`,
            messageId: null,
            messageHandle: null,
            statusSeq: null,
            payload: '{}',
          },
        ],
        Date.now(),
      );
      server.server.dispatcher.notify();
      const line = await eventually(() => server.logs().find((l) => l.component === 'webhooks' && l.level === 40));
      expect(line).toMatchObject({ msg: 'webhook delivery failed for good; no more attempts', attempt: 1 });
      expect(String(line.error)).toMatch(/^blocked: .*127\.0\.0\.1/);
      const text = await scrape(server.url);
      expect(sampleValue(text, 'tapback_webhook_attempts_total', { outcome: 'blocked' })).toBe(1);
      expect(server.logs().filter((l) => l.component === 'webhooks' && l.level === 40)).toHaveLength(1);
      expect(receiver.connections).toBe(0);
    } finally {
      await server.close();
      await receiver.close();
    }
  });
});

describe('/metrics access', () => {
  it('is open on loopback, needs the token beyond it, and is off there without one', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) {
      expect(isLoopbackHost(host)).toBe(true);
      expect(metricsAccess(host, undefined)).toEqual({ kind: 'open' });
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '192.168.1.2']) {
      expect(isLoopbackHost(host)).toBe(false);
      expect(metricsAccess(host, undefined)).toEqual({ kind: 'off' });
      expect(metricsAccess(host, '')).toEqual({ kind: 'off' });
      expect(metricsAccess(host, 't0ken')).toEqual({ kind: 'token', token: 't0ken' });
    }
  });

  const metrics = () =>
    new ServerMetrics({
      queueStats: async () => ({ jobs: [], pendingWebhookDeliveries: 0 }),
      lines: async () => ({ online: 1, degraded: 0, offline: 0, unknown: 0 }),
    });

  it('answers 401 JSON to a wrong or missing token and 200 to the right one (worker health app)', async () => {
    const app = buildHealthApp('worker', '0.0.0', undefined, undefined, {
      metrics: { metrics: metrics(), access: metricsAccess('0.0.0.0', 'the-metrics-token') },
    });
    try {
      for (const authorization of [undefined, 'Bearer wrong', 'Bearer the-metrics-token-longer', 'the-metrics-token']) {
        const res = await app.inject({
          url: '/metrics',
          headers: authorization === undefined ? {} : { authorization },
        });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ status: 'ERROR', code: 'unauthorized' });
        expect(res.json().message).toContain('TAPBACK_METRICS_TOKEN');
      }
      const ok = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer the-metrics-token' } });
      expect(ok.statusCode).toBe(200);
      expect(sampleValue(ok.body, 'tapback_lines', { status: 'online' })).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('is a 404 beyond loopback while no token is set', async () => {
    const app = buildHealthApp('worker', '0.0.0', undefined, undefined, {
      metrics: { metrics: metrics(), access: metricsAccess('0.0.0.0', undefined) },
    });
    try {
      expect((await app.inject({ url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('keeps each server’s metrics apart in one process', async () => {
    const [a, b] = await Promise.all([
      startBackendServer(sqliteServerBackend),
      startBackendServer(sqliteServerBackend),
    ]);
    try {
      const clientA = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: a.url });
      await clientA.messages.send({ number: CONTACT, from_number: a.line, content: 'only on a' });
      const [textA, textB] = await Promise.all([scrape(a.url), scrape(b.url)]);
      expect(sampleValue(textA, 'tapback_messages_accepted_total', { provider: 'sandbox', type: 'message' })).toBe(1);
      expect(sampleValue(textB, 'tapback_messages_accepted_total', { provider: 'sandbox', type: 'message' })).toBe(
        undefined,
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
