import { SANDBOX_WORKER_SETTINGS } from '../../test/support/worker-settings.js';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import type { WireMessage } from '../domain/message.js';
import type { Caller } from '../messaging/caller.js';
import { SendService } from '../messaging/send-message.js';
import type { Store } from '../store/store.js';
import { type BackendInstance, SERVER_BACKENDS, STORE_BACKENDS } from '../../test/support/backends.js';
import { type TestServer, startBackendServer } from '../../test/support/test-server.js';
import { MessageEvents } from './message-events.js';
import { SandboxProvider } from './providers/sandbox/sandbox-provider.js';
import { directoryOf } from '../../test/support/fake-provider.js';
import { advanceTime } from './time-travel.js';
import { Worker } from './worker.js';

const YEAR = 365 * 24 * 3600 * 1000;

describe('ManualClock.idle', () => {
  it('wakes its sleepers as time passes them, but offers them as no stopping point', async () => {
    const clock = new ManualClock(0);
    let woke = false;
    void clock
      .idle()
      .sleep(1000)
      .then(() => (woke = true));
    expect(clock.nextTimerAt()).toBeNull();
    void clock.sleep(5000);
    expect(clock.nextTimerAt()).toBe(5000);
    clock.moveTo(1000);
    await Promise.resolve();
    expect(woke).toBe(true);
  });
});

/** Advancing over real HTTP costs in proportion to what falls due, not to the distance. */
describe.each(SERVER_BACKENDS)('advancing the manual clock ($name)', (backend) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The clock's answer, an error's or a message's: only the fields these tests read. */
  type Answer = { now: string; code: string; details: { field: string }[] } & WireMessage;
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Answer }> {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { ...t.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Answer };
  }

  it('moves a year with nothing due in well under a second', async () => {
    const before = Date.parse((await call('GET', '/sandbox/clock')).json.now);
    const started = performance.now();
    const res = await call('POST', '/sandbox/clock/advance', { ms: YEAR });
    const took = performance.now() - started;
    expect(res.status).toBe(200);
    expect(Date.parse(res.json.now) - before).toBe(YEAR);
    // Stepping through the loops' 1 s idle polls took ~0.6 s per simulated hour.
    expect(took).toBeLessThan(1000);
  });

  it('inside a year-long jump, runs each message’s work at its own due time', async () => {
    const send = async (number: string) =>
      (await call('POST', '/api/send-message', { number, from_number: t.line, content: 'x' })).json;
    const plain = await send('+19998887777');
    // Attempts at +0 and +1000 fail, +3000 succeeds: SENT at +3100, DELIVERED at +3500.
    const flaky = await send('+12025550005');
    expect((await call('POST', '/sandbox/clock/advance', { ms: YEAR })).status).toBe(200);
    for (const [sent, deliveredAfter] of [
      [plain, 500],
      [flaky, 3500],
    ] as const) {
      const now = (await call('GET', `/api/status?handle=${sent.message_handle}`)).json;
      expect(now.status).toBe('DELIVERED');
      expect(Date.parse(now.date_updated) - Date.parse(sent.date_created)).toBe(deliveredAfter);
    }
  });

  it('refuses more than a year in one call, naming ms', async () => {
    const res = await call('POST', '/sandbox/clock/advance', { ms: YEAR + 1 });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('validation_failed');
    expect(res.json.details[0]?.field).toMatch(/ms$/);
  });
});

describe.each(STORE_BACKENDS)('advanceTime bounds ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let clock: ManualClock;
  let worker: Worker;
  let sends: SendService;
  let caller: Caller;
  const LINE = '+15550001000';
  const T0 = Date.UTC(2030, 0, 1);

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    clock = new ManualClock(T0);
    worker = new Worker({
      store,
      clock,
      providers: directoryOf([new SandboxProvider({ sentDelayMs: 100, deliveredDelayMs: 400 })]),
      events: new MessageEvents(),
      logger: pino({ level: 'silent' }),
      settings: SANDBOX_WORKER_SETTINGS,
    });
    const account = await store.createAccount({ email: 'a@example.com', now: T0 });
    await store.addLine({ accountId: account.id, number: LINE, provider: 'sandbox', now: T0 });
    caller = { accountId: account.id, email: account.email, plan: account.plan, keyId: 'k' };
    sends = new SendService({ store, clock, queueLimit: 100, onAccepted: () => undefined });
  });
  afterEach(async () => {
    await worker.stop();
    await instance.dispose();
  });

  /** Three messages attempted 10 ms apart: SENT due at +100, +110, +120; DELIVERED at +500, +510, +520. */
  async function threeTimelines(): Promise<string[]> {
    const handles: string[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) clock.moveTo(clock.now() + 10);
      const r = await sends.send(caller, { number: '+19998887777', from_number: LINE, content: `m${i}` });
      handles.push((JSON.parse(r.body) as { message_handle: string }).message_handle);
      await worker.runDue();
    }
    return handles;
  }
  const statuses = async (handles: string[]) =>
    Promise.all(handles.map(async (h) => (await store.getMessage(caller.accountId, h))?.status));

  it('stops at most maxStops due times per call, leaving everything due by then run', async () => {
    const handles = await threeTimelines();
    const error = await advanceTime(clock, worker, store, 10_000, [], { maxStops: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('validation_failed');
    expect((error as AppError).details?.[0]?.field).toBe('ms');
    expect(clock.now()).toBe(T0 + 110);
    expect(await statuses(handles)).toEqual(['SENT', 'SENT', 'QUEUED']);
    // The rest, in a call whose due times fit the bound.
    await advanceTime(clock, worker, store, 10_000, [], { maxStops: 4 });
    expect(await statuses(handles)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED']);
  });

  it('stops moving once the caller gives up', async () => {
    const handles = await threeTimelines();
    const gone = new AbortController();
    gone.abort();
    expect(await advanceTime(clock, worker, store, YEAR, [], { signal: gone.signal })).toBe(T0 + 20);
    expect(await statuses(handles)).toEqual(['QUEUED', 'QUEUED', 'QUEUED']);
  });
});
