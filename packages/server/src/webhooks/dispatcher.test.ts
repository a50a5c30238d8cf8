import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Clock, ManualClock, SystemClock } from '../domain/clock.js';
import { STORE_BACKENDS, type BackendInstance } from '../../test/support/backends.js';
import { type Receiver, type Reply, startReceiver } from '../../test/support/webhook-receiver.js';
import type { Store } from '../store/store.js';
import type { WebhookDeliveryLog } from '../domain/webhook-delivery.js';
import { parseRetrySchedule, DEFAULT_RETRY_SCHEDULE } from '../config/setting-values.js';
import { Dispatcher, type DispatcherSettings } from './dispatcher.js';
import { HttpSender } from './http-sender.js';
import { AddressPolicy } from './ssrf-guard.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

interface Rig {
  store: Store;
  clock: Clock;
  dispatcher: Dispatcher;
  accountId: number;
  receiver: Receiver;
}

describe.each(STORE_BACKENDS)('Dispatcher ($name)', (storeBackend) => {
  let backend: BackendInstance;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    backend = await storeBackend.create();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await backend.dispose();
  });

  async function rig(
    reply: (index: number) => Reply,
    options: { clock?: Clock; settings?: Partial<DispatcherSettings>; logs?: string[] } = {},
  ): Promise<Rig> {
    const store = backend.store;
    const account = await store.createAccount({ email: `a${Math.random()}@example.test`, now: Date.now() });
    const receiver = await startReceiver((_r, i) => reply(i));
    const timeoutMs = options.settings?.timeoutMs ?? 300;
    const sender = new HttpSender({ policy: new AddressPolicy(['127.0.0.0/8']), timeoutMs, userAgent: 'test' });
    const clock = options.clock ?? new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const dispatcher = new Dispatcher({
      store,
      clock,
      sender,
      logger:
        options.logs === undefined
          ? pino({ level: 'silent' })
          : pino({ level: 'trace' }, { write: (line: string) => void options.logs?.push(line) }),
      settings: {
        timeoutMs,
        retrySchedule: parseRetrySchedule(DEFAULT_RETRY_SCHEDULE),
        concurrency: 8,
        concurrencyPerDestination: 4,
        concurrencyPerAccount: 8,
        pollMs: 50,
        ...options.settings,
      },
    });
    cleanups.push(async () => {
      await dispatcher.stop();
      await sender.close();
      await receiver.close();
    });
    return { store, clock, dispatcher, accountId: account.id, receiver };
  }

  async function enqueue(
    r: Rig,
    n = 1,
    extra: { messageId?: number; url?: string; endpointId?: number } = {},
  ): Promise<void> {
    await r.store.enqueueWebhooks(
      Array.from({ length: n }, (_, i) => ({
        accountId: r.accountId,
        kind: extra.endpointId === undefined ? ('status_callback' as const) : ('outbound' as const),
        endpointId: extra.endpointId ?? null,
        url: extra.url ?? `${r.receiver.url}/hook`,
        messageId: extra.messageId ?? null,
        messageHandle: `handle-${i}`,
        statusSeq: i + 1,
        payload: JSON.stringify({ n: i }),
      })),
      r.clock.now(),
    );
  }

  /** Steps a manual clock to every due delivery up to `ms` from now, running each. */
  async function advance(r: Rig, ms: number): Promise<void> {
    const clock = r.clock as ManualClock;
    const target = clock.now() + ms;
    await r.dispatcher.runDue();
    for (let i = 0; i < 1000; i++) {
      const next = await r.dispatcher.nextDueAt();
      if (next === null || next > target) break;
      clock.moveTo(next);
      await r.dispatcher.runDue();
    }
    clock.moveTo(target);
  }

  async function deliveries(r: Rig): Promise<WebhookDeliveryLog[]> {
    return (await r.store.listWebhookDeliveries(r.accountId, { limit: 100, offset: 0 })).deliveries;
  }

  it('retries 500s on the schedule (0, 5 s, 5 min, 30 min) until a 200', async () => {
    const r = await rig((i) => (i < 3 ? 500 : 200));
    const t0 = r.clock.now();
    await enqueue(r);
    await advance(r, 3 * 60 * MINUTE);
    const [d] = await deliveries(r);
    expect(d?.status).toBe('succeeded');
    expect(d?.attemptLog.map((a) => a.startedAt - t0)).toEqual([
      0,
      5 * SECOND,
      5 * SECOND + 5 * MINUTE,
      5 * SECOND + 35 * MINUTE,
    ]);
    expect(d?.attemptLog.map((a) => a.httpStatus)).toEqual([500, 500, 500, 200]);
    // One webhook-id across all attempts.
    expect(new Set(r.receiver.received.map((x) => x.headers['webhook-id'])).size).toBe(1);
  });

  it('never writes secrets to its logs, even at trace level', async () => {
    const logs: string[] = [];
    const r = await rig((i) => (i < 2 ? 500 : 200), { logs });
    await r.store.updateWebhookConfig(
      r.accountId,
      {
        mode: 'append',
        endpoints: [],
        globalSecret: 'global-secret-xyz',
      },
      Date.now(),
    );
    await enqueue(r);
    await advance(r, 10 * MINUTE);
    const { signingSecret } = await r.store.getWebhookConfig(r.accountId, Date.now());
    expect(r.receiver.received.at(-1)?.headers['sb-signing-secret']).toBe('global-secret-xyz');
    expect(logs.length).toBeGreaterThan(0);
    const text = logs.join('\n');
    expect(text).not.toContain(signingSecret);
    expect(text).not.toContain(signingSecret.slice('whsec_'.length));
    expect(text).not.toContain('global-secret-xyz');
  });

  it('logs every failed attempt at warn, with the delivery, the HTTP status and what happens next', async () => {
    const logs: string[] = [];
    const r = await rig(() => 503, { logs, settings: { retrySchedule: [0, 5 * SECOND] } });
    await enqueue(r);
    await advance(r, MINUTE);
    const warnings = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 40);
    expect(warnings.map((w) => w.msg)).toEqual([
      'webhook attempt failed; will retry',
      'webhook delivery failed for good; no more attempts',
    ]);
    expect(warnings[0]).toMatchObject({
      account: r.accountId,
      httpStatus: 503,
      attempt: 1,
      url: `${r.receiver.url}/hook`,
    });
    expect(warnings[0]?.retryAt).toBe(new Date(r.clock.now() - MINUTE + 5 * SECOND).toISOString());
    expect(warnings[1]).toMatchObject({ attempt: 2, httpStatus: 503 });
  });

  it('gives up after the eighth attempt, about 28 hours in', async () => {
    const r = await rig(() => 503);
    const t0 = r.clock.now();
    await enqueue(r);
    await advance(r, 48 * 60 * MINUTE);
    const [d] = await deliveries(r);
    expect(d?.status).toBe('failed');
    expect(d?.attempts).toBe(8);
    const last = d?.attemptLog.at(-1)?.startedAt ?? 0;
    expect(last - t0).toBe((5 + 300 + 1800 + 7200 + 18_000 + 36_000 + 36_000) * SECOND);
  });

  it('honours Retry-After on 429', async () => {
    const r = await rig((i) => (i === 0 ? { status: 429, headers: { 'retry-after': '120' } } : 200));
    const t0 = r.clock.now();
    await enqueue(r);
    await advance(r, 10 * MINUTE);
    const [d] = await deliveries(r);
    expect(d?.attemptLog.map((a) => a.startedAt - t0)).toEqual([0, 120 * SECOND]);
  });

  it('counts 3xx as a failure and aborts a hung attempt at the timeout', async () => {
    const r = await rig((i) =>
      i === 0 ? { status: 301, headers: { location: '/elsewhere' } } : i === 1 ? 'hang' : 200,
    );
    await enqueue(r);
    await advance(r, 10 * MINUTE);
    const [d] = await deliveries(r);
    expect(d?.status).toBe('succeeded');
    expect(d?.attemptLog.map((a) => a.error)).toEqual([
      'HTTP 301: redirects are not followed',
      'timed out after 300 ms',
      null,
    ]);
    expect(r.receiver.received.map((x) => x.path)).toEqual(['/hook', '/hook', '/hook']);
  });

  it('disables an endpoint that answers 410 Gone, with its pending deliveries', async () => {
    const r = await rig(() => 410);
    const config = await r.store.updateWebhookConfig(
      r.accountId,
      {
        mode: 'append',
        endpoints: [{ type: 'outbound', url: `${r.receiver.url}/gone`, secret: null, sendblueNumbers: null }],
      },
      Date.now(),
    );
    const endpoint = config.endpoints[0];
    await enqueue(r, 6, { endpointId: endpoint?.id ?? 0, url: endpoint?.url ?? '' });
    await advance(r, MINUTE);
    const all = await deliveries(r);
    expect(all.every((d) => d.status === 'disabled')).toBe(true);
    // At most the first round (4 per destination) was attempted; the rest were never sent.
    expect(r.receiver.received.length).toBeLessThanOrEqual(4);
    const after = await r.store.getWebhookConfig(r.accountId, Date.now());
    expect(after.endpoints[0]?.disabledAt).not.toBeNull();
  });

  it('holds a later event for the same message and url until the earlier one is delivered', async () => {
    const r = await rig((i) => (i === 0 ? 500 : 200));
    await enqueue(r, 2, { messageId: 42 });
    await advance(r, MINUTE);
    const got = r.receiver.received.map((x) => (JSON.parse(x.body) as { n: number }).n);
    expect(got).toEqual([0, 0, 1]);
  });

  it('keeps one tenant flowing while another tenant’s endpoint hangs', async () => {
    const clock = new SystemClock();
    // The hung attempts time out after 6 s: a live callback stuck behind them would take at least
    // that long, while one that flows takes well under 4 s even on a loaded machine.
    const dead = await rig(() => 'hang', { clock, settings: { timeoutMs: 6000 } });
    const live = await rig(() => 200, { clock });
    // The dead tenant's backlog is older, so a naive oldest-first claim would serve it first.
    await enqueue(dead, 40);
    const started = Date.now();
    await enqueue(live, 100);
    dead.dispatcher.start();
    await live.receiver.waitFor(100, 10_000);
    const latencies = live.receiver.received.map((x) => x.at - started).sort((a, b) => a - b);
    expect(latencies[Math.floor(latencies.length * 0.99)]).toBeLessThan(4000);
    // The hung destination holds at most its own 4 slots.
    expect(dead.receiver.received.length).toBeLessThanOrEqual(4);
  });
});
