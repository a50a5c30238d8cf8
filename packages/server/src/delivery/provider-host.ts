import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { LineConfig, LineHealth } from '../domain/line.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import { type ProviderHealth, ProviderSupervisor, type SupervisorSettings } from './provider-supervisor.js';
import type { Provider, ProviderEvents, ProviderFactory } from './providers/provider.js';

export interface ProviderHostSettings extends SupervisorSettings {
  /** How often line changes made elsewhere (the CLI, another process) are looked for. */
  reloadMs: number;
}

export interface ProviderHostDeps {
  store: Pick<LinesPort, 'listLineConfigs' | 'recordLineHealth'>;
  /** The provider kinds this server runs; a line of any other kind gets no provider. */
  factories: readonly ProviderFactory<unknown>[];
  events: ProviderEvents;
  /** Timestamps of health transitions. */
  clock: Clock;
  /** What reconnect backoffs and the reload loop sleep on. */
  sleepClock: Clock;
  logger: Logger;
  /** This process, as line health records name it. */
  workerId: string;
  settings: ProviderHostSettings;
  /** The jitter's source, in [0, 1); Math.random when absent. */
  random?: () => number;
  /** After a line's health changed and was recorded (the account event stream). */
  onHealthChange?: (line: LineConfig, health: LineHealth) => void;
}

/** Why a line has no provider to send with. */
export type Unresolved = { reason: 'no_line' | 'unknown_kind' | 'not_started'; detail: string };

interface Running {
  supervisor: ProviderSupervisor;
  lines: Map<string, LineConfig>;
}

/**
 * Runs the providers of every line, built from the lines' stored settings: one instance per
 * distinct (kind, connection, settings), shared by the lines that have the same, so several numbers
 * on one SMSC bind share one connection. Lines added, changed or removed elsewhere (the CLI writes
 * the database directly; other processes) are picked up within `reloadMs`; only the providers whose
 * lines changed restart.
 */
export class ProviderHost {
  private readonly byGroup = new Map<string, Running>();
  private readonly groupOfLine = new Map<string, string>();
  private readonly kinds: Map<string, ProviderFactory<unknown>>;
  private running = false;
  private stopping = new AbortController();
  private loopDone: Promise<void> = Promise.resolve();
  private reloading: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ProviderHostDeps) {
    this.kinds = new Map(deps.factories.map((f) => [f.kind, f]));
  }

  /** Loads the lines and starts their providers (connecting in the background), then keeps watching. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    await this.reload();
    this.loopDone = this.watch();
  }

  async stop(): Promise<void> {
    if (this.running) {
      this.running = false;
      this.stopping.abort();
    }
    await this.loopDone;
    await this.reloading;
    const groups = [...this.byGroup.values()];
    this.byGroup.clear();
    this.groupOfLine.clear();
    await Promise.all(groups.map((g) => g.supervisor.stop()));
  }

  /** The provider that carries `line`'s messages, or why there is none. */
  resolve(line: string, kind: string): Provider | Unresolved {
    const group = this.groupOfLine.get(line);
    const running = group === undefined ? undefined : this.byGroup.get(group);
    if (running !== undefined) return running.supervisor.provider;
    if (!this.kinds.has(kind)) {
      return { reason: 'unknown_kind', detail: `no provider "${kind}" runs on this server` };
    }
    return { reason: 'not_started', detail: `the provider of line ${line} is not running yet` };
  }

  /** The stored settings `line`'s running provider was built from (and its routing), if it runs here. */
  lineConfig(line: string): LineConfig | undefined {
    const group = this.groupOfLine.get(line);
    return group === undefined ? undefined : this.byGroup.get(group)?.lines.get(line);
  }

  /** The supervisor of `line`'s provider, to report send outcomes to. */
  supervisorOf(line: string): ProviderSupervisor | undefined {
    const group = this.groupOfLine.get(line);
    return group === undefined ? undefined : this.byGroup.get(group)?.supervisor;
  }

  noteSend(line: string, outcome: { ok: true } | { ok: false; transient: boolean; error: string }): void {
    this.supervisorOf(line)?.noteSend(outcome);
  }

  health(line: string): ProviderHealth | undefined {
    return this.supervisorOf(line)?.health();
  }

  /** Brings the running providers in line with the stored lines. Serialised; safe to call any time. */
  reload(): Promise<void> {
    const next = this.reloading.then(() => this.applyConfigs());
    this.reloading = next.catch((error: unknown) => this.deps.logger.error({ err: error }, 'reloading lines failed'));
    return next;
  }

  private async watch(): Promise<void> {
    while (this.running) {
      await this.deps.sleepClock.sleep(this.deps.settings.reloadMs, this.stopping.signal);
      if (!this.running) return;
      await this.reload().catch(() => undefined);
    }
  }

  private async applyConfigs(): Promise<void> {
    if (!this.running) return;
    const configs = await this.deps.store.listLineConfigs();
    const wanted = new Map<string, LineConfig[]>();
    for (const line of configs) {
      const factory = this.kinds.get(line.provider);
      if (factory === undefined) continue;
      let key: string;
      try {
        key = groupKey(factory, line);
      } catch (error) {
        this.deps.logger.error(
          { err: error, line: line.number },
          'a line has invalid provider settings; it will not send',
        );
        continue;
      }
      wanted.set(key, [...(wanted.get(key) ?? []), line]);
    }
    const stops: Promise<void>[] = [];
    for (const [key, running] of this.byGroup) {
      const lines = wanted.get(key);
      if (lines === undefined) {
        this.byGroup.delete(key);
        stops.push(running.supervisor.stop());
      } else {
        const joined = lines.filter((l) => !running.lines.has(l.number));
        running.lines = new Map(lines.map((l) => [l.number, l]));
        // A line joining a running connection has its health at once, not at the next transition.
        if (joined.length > 0) this.recordHealth(running, running.supervisor.health(), joined);
      }
    }
    this.groupOfLine.clear();
    for (const [key, lines] of wanted) {
      if (!this.byGroup.has(key)) this.byGroup.set(key, this.launch(lines));
      for (const line of lines) this.groupOfLine.set(line.number, key);
    }
    await Promise.all(stops);
  }

  private launch(lines: LineConfig[]): Running {
    const first = lines[0]!;
    const factory = this.kinds.get(first.provider)!;
    const logger = this.deps.logger.child({ provider: first.provider, lines: lines.map((l) => l.number) });
    const provider = factory.create(factory.parse(first.settings), {
      now: () => this.deps.clock.now(),
      logger,
      // Read when asked, so a provider sees lines joining or leaving its connection later.
      lines: () => [...running.lines.keys()],
    });
    // The health callback reads `running.lines` when it fires, so it sees lines joining later.
    const running: Running = {
      lines: new Map(lines.map((l) => [l.number, l])),
      supervisor: new ProviderSupervisor(provider, {
        events: this.deps.events,
        clock: this.deps.sleepClock,
        logger,
        settings: this.deps.settings,
        onHealth: (health) => this.recordHealth(running, health),
        ...(this.deps.random === undefined ? {} : { random: this.deps.random }),
      }),
    };
    running.supervisor.start();
    return running;
  }

  private recordHealth(
    running: Running,
    health: ProviderHealth,
    lines: Iterable<LineConfig> = running.lines.values(),
  ): void {
    for (const line of lines) {
      const record: LineHealth = { number: line.number, workerId: this.deps.workerId, ...health };
      this.deps.store
        .recordLineHealth(record)
        .then(() => this.deps.onHealthChange?.(line, record))
        .catch((error: unknown) =>
          this.deps.logger.warn({ err: error, line: line.number }, 'recording line health failed'),
        );
    }
  }
}

/** Lines share a provider when they have the same kind, connection and settings. */
function groupKey(factory: ProviderFactory<unknown>, line: LineConfig): string {
  const settings = factory.parse(line.settings);
  return `${factory.kind}\u0000${factory.connectionKey(settings)}\u0000${stableJson(line.settings)}`;
}

function stableJson(value: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(value)
      .sort()
      .map((k) => [k, value[k]]),
  );
}
