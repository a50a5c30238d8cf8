import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../domain/clock.js';
import type { Message } from '../domain/message.js';
import type { Account } from '../domain/account.js';
import type { StatusChange } from '../domain/job.js';
import type { Store } from '../store/store.js';
import { type BackendInstance, STORE_BACKENDS } from '../../test/support/backends.js';
import {
  FakeProvider,
  hangForever,
  hangUntilAborted,
  permanentFailure,
  directoryOf,
  sentNow,
  transientFailure,
} from '../../test/support/fake-provider.js';
import { messageDraft } from '../../test/support/message-draft.js';
import { MessageEvents } from './message-events.js';
import type { SendResult } from './providers/provider.js';
import { Worker, type WorkerSettings } from './worker.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const GHOST_LINE = '+15550001001';
const CONTACT = '+19998887777';

const SETTINGS: WorkerSettings = {
  batchSize: 10,
  leaseMs: 30_000,
  maxAttempts: 4,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  pollMs: 5000,
  providerTimeoutMs: 10_000,
};

/** A logger that records instead of printing. */
function recordingLogger(): Logger & { error: ReturnType<typeof vi.fn>; warn: ReturnType<typeof vi.fn> } {
  const logger = {
    error: vi.fn(),
    warn: vi.fn(),
    info: vi.fn(),
    debug: vi.fn(),
    trace: vi.fn(),
    fatal: vi.fn(),
    child: () => logger,
  };
  return logger as unknown as Logger & { error: ReturnType<typeof vi.fn>; warn: ReturnType<typeof vi.fn> };
}

/** Lets promise callbacks and immediates queued so far run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe.each(STORE_BACKENDS)('Worker ($name)', (storeBackend) => {
  let backend: BackendInstance;
  let store: Store;
  let account: Account;
  let clock: ManualClock;
  let provider: FakeProvider;
  let events: MessageEvents;
  let changes: StatusChange[];
  let logger: ReturnType<typeof recordingLogger>;
  let worker: Worker;

  function makeWorker(overrides: { store?: Store; settings?: Partial<WorkerSettings> } = {}): Worker {
    return new Worker({
      store: overrides.store ?? store,
      clock,
      providers: directoryOf([provider]),
      events,
      logger,
      settings: { ...SETTINGS, ...overrides.settings },
    });
  }

  async function send(to = CONTACT, line = LINE): Promise<Message> {
    const result = await store.acceptOutbound({
      message: messageDraft(account, line, to, { createdAt: clock.now() }),
      queueLimit: 1000,
    });
    if (result.kind !== 'accepted') throw new Error(result.kind);
    return result.message;
  }

  async function statusOf(m: Message) {
    const stored = await store.getMessage(account.id, m.handle);
    if (stored === undefined) throw new Error('message vanished');
    return stored;
  }

  /** Moves the clock to `T0 + ms` and runs what is due. */
  async function at(ms: number): Promise<void> {
    clock.moveTo(T0 + ms);
    await worker.runDue();
  }

  beforeEach(async () => {
    backend = await storeBackend.create();
    store = backend.store;
    account = await store.createAccount({ email: 'worker@example.com', now: Date.now() });
    await store.addLine({ accountId: account.id, number: LINE, provider: 'fake', now: Date.now() });
    await store.addLine({ accountId: account.id, number: GHOST_LINE, provider: 'ghost', now: Date.now() });
    clock = new ManualClock(T0);
    provider = new FakeProvider(clock);
    events = new MessageEvents();
    changes = [];
    events.onStatusChange((c) => changes.push(c));
    logger = recordingLogger();
    worker = makeWorker();
  });

  afterEach(async () => {
    await worker.stop();
    await backend.dispose();
  });

  describe('failures', () => {
    it('retries a transient failure on the backoff schedule, maxAttempts times in all, then ends in ERROR once', async () => {
      provider.behave(() => transientFailure('carrier busy'));
      const m = await send();
      await at(0);
      const schedule: [number, number][] = [
        [999, 1],
        [1000, 2],
        [2999, 2],
        [3000, 3],
        [6999, 3],
        [7000, 4],
      ];
      for (const [ms, calls] of schedule) {
        await at(ms);
        expect(provider.calls, `calls by T0+${ms}`).toHaveLength(calls);
      }
      expect(provider.calls.map((c) => c.at - T0)).toEqual([0, 1000, 3000, 7000]);
      expect(provider.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
      expect(await statusOf(m)).toMatchObject({
        status: 'ERROR',
        errorCode: 10001,
        errorMessage: 'carrier busy',
        errorReason: 'gave up after 4 attempts',
        statusSeq: 1,
      });
      expect(changes.map((c) => [c.previous, c.message.status])).toEqual([['QUEUED', 'ERROR']]);

      await at(86_400_000);
      expect(provider.calls).toHaveLength(4);
      expect(changes).toHaveLength(1);
      expect(await store.countJobs()).toBe(0);
    });

    it('caps the backoff at retryMaxMs', async () => {
      worker = makeWorker({ settings: { maxAttempts: 5, retryMaxMs: 2500 } });
      provider.behave(() => transientFailure());
      await send();
      for (let ms = 0; ms <= 20_000; ms += 250) await at(ms);
      expect(provider.calls.map((c) => c.at - T0)).toEqual([0, 1000, 3000, 5500, 8000]);
    });

    it('makes one attempt on a permanent failure, then ERROR with the provider’s error', async () => {
      provider.behave(() => permanentFailure(10001, 'recipient rejected'));
      const m = await send();
      await at(0);
      await at(3_600_000);
      expect(provider.calls).toHaveLength(1);
      expect(await statusOf(m)).toMatchObject({
        status: 'ERROR',
        errorCode: 10001,
        errorMessage: 'recipient rejected',
        errorReason: 'fake: permanent',
      });
      expect(changes).toHaveLength(1);
      expect(await store.countJobs()).toBe(0);
    });

    it('ends in ERROR at once when the line’s provider is not configured', async () => {
      const m = await send(CONTACT, GHOST_LINE);
      await at(0);
      expect(await statusOf(m)).toMatchObject({
        status: 'ERROR',
        errorCode: 10001,
        errorReason: expect.stringContaining('ghost'),
      });
      expect(provider.calls).toHaveLength(0);
    });

    it('counts a provider that throws as a transient failure and retries it', async () => {
      let n = 0;
      provider.behave(() => {
        n += 1;
        if (n === 1) throw new Error('socket hang up');
        return sentNow();
      });
      const m = await send();
      await at(0);
      expect(await statusOf(m)).toMatchObject({ status: 'QUEUED' });
      await at(999);
      expect(provider.calls).toHaveLength(1);
      await at(1000);
      expect(provider.calls.map((c) => c.attempt)).toEqual([1, 2]);
      expect(await statusOf(m)).toMatchObject({ status: 'SENT', statusSeq: 1 });
    });

    it.each([
      ['ignores its abort signal', () => hangForever()],
      ['honours its abort signal', (signal: AbortSignal) => hangUntilAborted(signal)],
    ])(
      'aborts a provider call that %s after providerTimeoutMs and retries it as transient',
      async (_name, hang: (signal: AbortSignal) => Promise<SendResult>) => {
        let n = 0;
        provider.behave((_request, signal) => (++n === 1 ? hang(signal) : sentNow()));
        const m = await send();
        let roundDone = false;
        const round = worker.runDue().then(() => (roundDone = true));
        await provider.waitForCalls(1);
        clock.moveTo(T0 + 9_999);
        await settle();
        expect(roundDone).toBe(false);
        expect(provider.calls[0]?.signal.aborted).toBe(false);

        clock.moveTo(T0 + 10_000);
        await round;
        expect(provider.calls[0]?.signal.aborted).toBe(true);
        expect(await statusOf(m)).toMatchObject({ status: 'QUEUED' });

        await at(10_999);
        expect(provider.calls).toHaveLength(1);
        await at(11_000);
        expect(provider.calls.map((c) => c.attempt)).toEqual([1, 2]);
        expect(await statusOf(m)).toMatchObject({ status: 'SENT' });
      },
    );

    it('counts a malformed provider answer as a transient failure, recorded and retried on schedule', async () => {
      provider.behave(() => ({ kind: 'accepted', patches: 'SENT' }) as unknown as SendResult);
      const m = await send();
      for (const ms of [0, 1000, 3000, 7000]) await at(ms);
      expect(provider.calls.map((c) => c.at - T0)).toEqual([0, 1000, 3000, 7000]);
      expect(await statusOf(m)).toMatchObject({
        status: 'ERROR',
        errorMessage: 'provider "fake" returned a malformed result',
      });
    });

    it('gives up with ERROR when every attempt times out', async () => {
      worker = makeWorker({ settings: { maxAttempts: 2, providerTimeoutMs: 50 } });
      provider.behave(() => hangForever());
      const m = await send();
      const first = worker.runDue();
      await provider.waitForCalls(1);
      clock.moveTo(T0 + 50);
      await first;
      clock.moveTo(T0 + 1050);
      const second = worker.runDue();
      await provider.waitForCalls(2);
      clock.moveTo(T0 + 1100);
      await second;
      expect(await statusOf(m)).toMatchObject({ status: 'ERROR', errorCode: 10001 });
      expect(changes).toHaveLength(1);
    });
  });

  describe('the loop', () => {
    it('keeps delivering when one job in a round fails unexpectedly', async () => {
      const BAD = '+19998880000';
      provider.behave((request) =>
        // A provider breaking its contract makes processing that job throw.
        request.message.toNumber === BAD ? (undefined as unknown as SendResult) : sentNow(),
      );
      worker.start();
      const bad = await send(BAD);
      const good = await send();
      worker.notify();
      await vi.waitFor(async () => expect((await statusOf(good)).status).toBe('SENT'));
      expect((await statusOf(bad)).status).toBe('QUEUED');

      const later = await send('+19998881111');
      worker.notify();
      await vi.waitFor(async () => expect((await statusOf(later)).status).toBe('SENT'));
    });

    it('survives a failing store round and runs the job again once its lease expires', async () => {
      let failNext = true;
      const flaky = new Proxy(store, {
        get(target, prop, receiver) {
          if (prop === 'finishJobs' && failNext) {
            return async () => {
              failNext = false;
              throw new Error('disk I/O error');
            };
          }
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      worker = makeWorker({ store: flaky });
      worker.start();
      const m = await send();
      worker.notify();
      await vi.waitFor(() => expect(logger.error).toHaveBeenCalledTimes(1));
      expect((await statusOf(m)).status).toBe('QUEUED');
      expect(provider.calls).toHaveLength(1);

      clock.moveTo(T0 + SETTINGS.leaseMs);
      await vi.waitFor(async () => expect((await statusOf(m)).status).toBe('SENT'));
      // The second call is the duplicate a crash between the provider call and its record causes.
      expect(provider.calls.map((c) => c.attempt)).toEqual([1, 2]);
    });

    it('records a job run twice (its lease expired while the outcome waited to be recorded) once', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      // This worker's first record stalls (a slow commit) past its lease.
      let stalled = false;
      const slow = new Proxy(store, {
        get(target, prop, receiver) {
          if (prop === 'finishJobs' && !stalled) {
            stalled = true;
            return async (...args: Parameters<Store['finishJobs']>) => {
              await gate;
              return target.finishJobs(...args);
            };
          }
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      provider.behave(() => sentNow(500));
      const m = await send();
      const late = makeWorker({ store: slow });
      const lateRound = late.runDue();
      await provider.waitForCalls(1);
      // Another worker claims the job once the lease is over, and records its run.
      clock.moveTo(T0 + SETTINGS.leaseMs);
      await worker.runDue();
      expect(provider.calls.map((c) => c.attempt)).toEqual([1, 2]);
      release();
      await lateRound;
      await late.stop();
      expect(changes.map((c) => c.message.status)).toEqual(['SENT']);
      expect(await store.countJobs()).toBe(1);
      await at(SETTINGS.leaseMs + 500);
      expect(changes.map((c) => c.message.status)).toEqual(['SENT', 'DELIVERED']);
      expect(await statusOf(m)).toMatchObject({ status: 'DELIVERED', statusSeq: 2 });
      expect(await store.countJobs()).toBe(0);
    });

    it('emits each status change after it is committed, in order, with its sequence number', async () => {
      let committed = 0;
      const counting = new Proxy(store, {
        get(target, prop, receiver) {
          if (prop === 'finishJobs') {
            return async (...args: Parameters<Store['finishJobs']>) => {
              const result = await target.finishJobs(...args);
              committed += 1;
              return result;
            };
          }
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const seen: { status: string; seq: number; committedBefore: number; stored: Promise<Message | undefined> }[] = [];
      events.onStatusChange((c) => {
        seen.push({
          status: c.message.status,
          seq: c.message.statusSeq,
          committedBefore: committed,
          stored: store.getMessage(account.id, c.message.handle),
        });
      });
      worker = makeWorker({ store: counting });
      provider.behave(() => sentNow(500));
      const m = await send();
      await at(0);
      expect(seen.map((s) => [s.status, s.seq, s.committedBefore])).toEqual([['SENT', 1, 1]]);
      await at(499);
      expect(seen).toHaveLength(1);
      await at(500);
      expect(seen.map((s) => [s.status, s.seq, s.committedBefore])).toEqual([
        ['SENT', 1, 1],
        ['DELIVERED', 2, 2],
      ]);
      expect((await seen[1]!.stored)?.status).toBe('DELIVERED');
      expect(changes.map((c) => c.previous)).toEqual(['QUEUED', 'SENT']);
      expect(changes.every((c) => c.message.handle === m.handle)).toBe(true);
    });

    it('keeps delivering when a status listener throws', async () => {
      events.onStatusChange(() => {
        throw new Error('listener bug');
      });
      provider.behave(() => sentNow(100));
      const m = await send();
      await at(0);
      await at(100);
      expect((await statusOf(m)).status).toBe('DELIVERED');
    });

    it('stop() before start() and stop() twice both resolve', async () => {
      await worker.stop();
      await worker.stop();
      worker.start();
      await Promise.all([worker.stop(), worker.stop()]);
      await worker.stop();
    });

    it('stop() waits for the call in hand, records it, claims nothing new, and every stop() call waits', async () => {
      let release: (r: SendResult) => void = () => undefined;
      provider.behave(() => new Promise<SendResult>((resolve) => (release = resolve)));
      // One job in flight at a time: otherwise the round that holds the first call may claim the
      // second message before stop() is called (PostgreSQL's claim takes several round trips).
      await worker.stop();
      worker = makeWorker({ settings: { batchSize: 1 } });
      worker.start();
      const first = await send();
      worker.notify();
      await provider.waitForCalls(1);
      const second = await send('+19998882222');

      let stopped = 0;
      const stops = [worker.stop(), worker.stop()].map((p) => p.then(() => (stopped += 1)));
      await settle();
      await settle();
      expect(stopped).toBe(0);

      release(sentNow());
      await Promise.all(stops);
      expect(stopped).toBe(2);
      expect((await statusOf(first)).status).toBe('SENT');
      expect(provider.calls.map((c) => c.handle)).toEqual([first.handle]);
      expect((await statusOf(second)).status).toBe('QUEUED');
      expect(await store.nextJobAt()).toBe(T0);

      provider.behave(() => sentNow());
      worker.start();
      await vi.waitFor(async () => expect((await statusOf(second)).status).toBe('SENT'));
    });
  });
});
