import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../domain/clock.js';
import type { LineConfig, LineHealth } from '../domain/line.js';
import { ProviderHost } from './provider-host.js';
import type {
  Provider,
  ProviderConnection,
  ProviderEvents,
  ProviderFactory,
  SendResult,
} from './providers/provider.js';

/**
 * The host runs one provider per distinct (kind, connection, settings), reconnects dropped
 * connections with backoff, records health transitions, and follows line changes made elsewhere.
 */

const SETTINGS = { reconnectBaseMs: 1000, reconnectMaxMs: 8000, degradedAfterFailures: 2, reloadMs: 500 };
const NO_EVENTS: ProviderEvents = { onStatus: async () => undefined, onInbound: async () => undefined };

/** A network whose connections the test opens, fails and drops. */
class TestNetwork {
  readonly created: { host: string; provider: Provider }[] = [];
  connects = 0;
  failNextConnects = 0;
  readonly open = new Set<{ drop: (error: Error) => void; closedCleanly: boolean }>();

  factory(): ProviderFactory<{ host: string }> {
    return {
      kind: 'test',
      secrets: [],
      parse: (s) => {
        if (typeof s.host !== 'string') throw new Error('host: required');
        return { host: s.host };
      },
      connectionKey: (s) => s.host,
      create: (s) => {
        const provider: Provider = {
          kind: 'test',
          services: ['SMS'],
          connect: async () => this.connect(),
          send: async (): Promise<SendResult> => ({ kind: 'accepted' }),
        };
        this.created.push({ host: s.host, provider });
        return provider;
      },
    };
  }

  private async connect(): Promise<ProviderConnection> {
    this.connects++;
    if (this.failNextConnects > 0) {
      this.failNextConnects--;
      throw new Error('connection refused');
    }
    let drop: (error: Error | undefined) => void = () => undefined;
    const closed = new Promise<Error | undefined>((resolve) => (drop = resolve));
    const handle = { drop: (e: Error) => drop(e), closedCleanly: false };
    this.open.add(handle);
    return {
      closed,
      close: async () => {
        handle.closedCleanly = true;
        this.open.delete(handle);
        drop(undefined);
      },
    };
  }
}

/** Lets promises and timers queued by the host run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('ProviderHost', () => {
  let host: ProviderHost | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  function setUp(lines: LineConfig[]) {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const network = new TestNetwork();
    const health: LineHealth[] = [];
    const store = {
      configs: lines,
      listLineConfigs: async () => store.configs,
      recordLineHealth: async (h: LineHealth) => void health.push(h),
    };
    host = new ProviderHost({
      store,
      factories: [network.factory() as ProviderFactory<unknown>],
      events: NO_EVENTS,
      clock,
      sleepClock: clock,
      logger: pino({ level: 'silent' }),
      workerId: 'test:1',
      settings: SETTINGS,
      // Half of each backoff: the retries land at 500, 1000, 2000 ms after each failure.
      random: () => 0.5,
    });
    return { clock, network, health, store, host };
  }

  const line = (number: string, host: string, updatedAt = 1): LineConfig => ({
    number,
    accountId: 1,
    provider: 'test',
    settings: { host },
    updatedAt,
  });

  it('shares one provider between lines with the same connection and settings', async () => {
    const t = setUp([line('+15550000001', 'a'), line('+15550000002', 'a'), line('+15550000003', 'b')]);
    await t.host.start();
    await settle();
    expect(t.network.created.map((c) => c.host).sort()).toEqual(['a', 'b']);
    expect(t.host.resolve('+15550000001', 'test')).toBe(t.host.resolve('+15550000002', 'test'));
    expect(t.host.health('+15550000003')?.status).toBe('ONLINE');
  });

  it('reports a kind no factory runs, and a line not loaded yet, as unresolved', async () => {
    const t = setUp([]);
    await t.host.start();
    expect(t.host.resolve('+15550000009', 'smpp')).toMatchObject({ reason: 'unknown_kind' });
    expect(t.host.resolve('+15550000009', 'test')).toMatchObject({ reason: 'not_started' });
  });

  it('reconnects a dropped connection after a jittered exponential backoff, recording each transition', async () => {
    const t = setUp([line('+15550000001', 'a')]);
    await t.host.start();
    await settle();
    expect(t.network.connects).toBe(1);
    t.network.failNextConnects = 2;
    [...t.network.open][0]!.drop(new Error('SMSC closed the connection'));
    await settle();
    expect(t.host.health('+15550000001')).toMatchObject({ status: 'OFFLINE', lastError: 'SMSC closed the connection' });
    // Full jitter (here fixed at half): retries after 500, then 1000, then 2000 ms.
    const after = async (ms: number) => {
      t.clock.moveTo(t.clock.now() + ms);
      await settle();
      return t.network.connects;
    };
    expect(await after(499)).toBe(1);
    expect(await after(1)).toBe(2);
    expect(await after(999)).toBe(2);
    expect(await after(1)).toBe(3);
    expect(await after(1999)).toBe(3);
    expect(await after(1)).toBe(4);
    expect(t.host.health('+15550000001')?.status).toBe('ONLINE');
    expect(t.health.map((h) => h.status)).toEqual(['ONLINE', 'OFFLINE', 'OFFLINE', 'ONLINE']);
    expect(t.health.every((h) => h.workerId === 'test:1' && h.number === '+15550000001')).toBe(true);
  });

  it('marks a connected line DEGRADED after repeated transient send failures, and ONLINE again after a success', async () => {
    const t = setUp([line('+15550000001', 'a')]);
    await t.host.start();
    await settle();
    t.host.noteSend('+15550000001', { ok: false, transient: true, error: 'ESME_RTHROTTLED' });
    expect(t.host.health('+15550000001')?.status).toBe('ONLINE');
    t.host.noteSend('+15550000001', { ok: false, transient: true, error: 'ESME_RTHROTTLED' });
    expect(t.host.health('+15550000001')).toMatchObject({ status: 'DEGRADED', lastError: 'ESME_RTHROTTLED' });
    t.host.noteSend('+15550000001', { ok: true });
    expect(t.host.health('+15550000001')).toMatchObject({ status: 'ONLINE', degradedSince: null });
  });

  it('follows line changes made elsewhere, restarting only the changed line’s provider', async () => {
    const t = setUp([line('+15550000001', 'a'), line('+15550000002', 'b')]);
    await t.host.start();
    await settle();
    const before = t.host.resolve('+15550000001', 'test');
    t.store.configs = [line('+15550000001', 'a'), line('+15550000002', 'c', 2), line('+15550000003', 'd')];
    t.clock.moveTo(t.clock.now() + SETTINGS.reloadMs);
    await settle();
    expect(t.host.resolve('+15550000001', 'test')).toBe(before);
    expect(t.network.created.map((c) => c.host)).toEqual(['a', 'b', 'c', 'd']);
    t.store.configs = [...t.store.configs, line('+15550000004', 'a')];
    await t.host.reload();
    await settle();
    // Joins a's running connection (no new instance) and has its health recorded at once.
    expect(t.network.created).toHaveLength(4);
    expect(t.health.filter((h) => h.number === '+15550000004').map((h) => h.status)).toEqual(['ONLINE']);
    // b's connection was closed cleanly (an unbind), a's is still the first one.
    expect(t.network.open.size).toBe(3);
    t.store.configs = [line('+15550000001', 'a')];
    await t.host.reload();
    await settle();
    expect(t.host.resolve('+15550000002', 'test')).toMatchObject({ reason: 'not_started' });
    expect(t.network.open.size).toBe(1);
  });

  it('closes every connection cleanly on stop', async () => {
    const t = setUp([line('+15550000001', 'a'), line('+15550000002', 'b')]);
    await t.host.start();
    await settle();
    const open = [...t.network.open];
    await t.host.stop();
    host = undefined;
    expect(open.every((c) => c.closedCleanly)).toBe(true);
    expect(t.network.open.size).toBe(0);
  });
});
