import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SendResult } from '../webhooks/http-sender.js';
import type { QueueStats } from '../store/ports/queue-stats-port.js';
import type { Readiness } from './readiness.js';

/** What the gauges read at each scrape: cheap queries and in-memory counts. */
export interface MetricsSources {
  queueStats: () => Promise<QueueStats>;
  /** Lines per health status, as their providers last reported. */
  lines: () => Promise<Readiness['lines']>;
  /** PostgreSQL's pool; absent on SQLite (one connection, no pool). */
  pool?: () => { total: number; idle: number; waiting: number };
}

/** Seconds buckets for HTTP requests and store calls: 0.5 ms to 10 s. */
const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
/** Webhook attempts run over the network, up to the webhook timeout. */
const WEBHOOK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The server's Prometheus metrics, in a registry of its own (never prom-client's global one): two
 * servers in one process, as in tests, never share or collide. The layers never see this class;
 * main.ts observes them from outside (the store through a timing proxy, webhook attempts through
 * a wrapper of the sender, messages through the events it already publishes).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly http: Histogram<'method' | 'route' | 'status'>;
  private readonly accepted: Counter<'provider' | 'type'>;
  private readonly statuses: Counter<'provider' | 'status'>;
  private readonly webhookAttempts: Counter<'outcome'>;
  private readonly webhookDuration: Histogram<'outcome'>;
  private readonly storeCalls: Histogram<'method' | 'outcome'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.http = new Histogram({
      name: 'tapback_http_request_duration_seconds',
      help: 'HTTP requests by route pattern, method and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: FAST_BUCKETS,
      registers,
    });
    this.accepted = new Counter({
      name: 'tapback_messages_accepted_total',
      help: "Outbound messages stored for delivery, by the line's provider and the message type.",
      labelNames: ['provider', 'type'],
      registers,
    });
    this.statuses = new Counter({
      name: 'tapback_message_status_changes_total',
      help: "Committed message status changes (SENT, DELIVERED, ERROR, ...), by the line's provider and the new status.",
      labelNames: ['provider', 'status'],
      registers,
    });
    this.webhookAttempts = new Counter({
      name: 'tapback_webhook_attempts_total',
      help: 'Webhook and status callback attempts by outcome: success, http_error, timeout, network_error, blocked.',
      labelNames: ['outcome'],
      registers,
    });
    this.webhookDuration = new Histogram({
      name: 'tapback_webhook_attempt_duration_seconds',
      help: 'Webhook and status callback attempt durations by outcome.',
      labelNames: ['outcome'],
      buckets: WEBHOOK_BUCKETS,
      registers,
    });
    this.storeCalls = new Histogram({
      name: 'tapback_store_call_duration_seconds',
      help: 'Database calls by store method (commits included) and outcome (ok, error).',
      labelNames: ['method', 'outcome'],
      buckets: FAST_BUCKETS,
      registers,
    });
    // Both queue gauges are collected at once in a scrape: they share one read of the queue.
    const queue = sharedPerScrape(sources.queueStats);
    new Gauge({
      name: 'tapback_jobs',
      help: 'Delivery jobs by kind (send, status) and state (due, leased, scheduled).',
      labelNames: ['kind', 'state'],
      registers,
      async collect() {
        const stats = await queue();
        this.reset();
        for (const j of stats?.jobs ?? []) this.set({ kind: j.kind, state: j.state }, j.count);
      },
    });
    new Gauge({
      name: 'tapback_webhook_deliveries_pending',
      help: 'Webhook and status callback deliveries not yet delivered or given up.',
      registers,
      async collect() {
        const stats = await queue();
        this.reset();
        if (stats !== undefined) this.set(stats.pendingWebhookDeliveries);
      },
    });
    new Gauge({
      name: 'tapback_lines',
      help: "Lines by their provider's last reported health (online, degraded, offline, unknown).",
      labelNames: ['status'],
      registers,
      async collect() {
        const lines = await sources.lines().catch(() => undefined);
        this.reset();
        for (const [status, n] of Object.entries(lines ?? {})) this.set({ status }, n);
      },
    });
    if (sources.pool !== undefined) {
      const pool = sources.pool;
      new Gauge({
        name: 'tapback_db_pool_connections',
        help: 'PostgreSQL pool connections: total (open) and idle.',
        labelNames: ['state'],
        registers,
        collect() {
          const p = pool();
          this.set({ state: 'total' }, p.total);
          this.set({ state: 'idle' }, p.idle);
        },
      });
      new Gauge({
        name: 'tapback_db_pool_waiting',
        help: 'Queries waiting for a free PostgreSQL pool connection.',
        registers,
        collect() {
          this.set(pool().waiting);
        },
      });
    }
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: String(status) }, seconds);
  }

  messageAccepted(provider: string, type: string): void {
    this.accepted.inc({ provider, type });
  }

  statusChanged(provider: string, status: string): void {
    this.statuses.inc({ provider, status });
  }

  webhookAttempt(result: SendResult): void {
    const outcome = webhookOutcome(result);
    this.webhookAttempts.inc({ outcome });
    this.webhookDuration.observe({ outcome }, result.durationMs / 1000);
  }

  storeCall(method: string, seconds: number, failed: boolean): void {
    this.storeCalls.observe({ method, outcome: failed ? 'error' : 'ok' }, seconds);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** An attempt's outcome as a label: few values, never the error text. */
export function webhookOutcome(result: SendResult): string {
  if (result.kind === 'response') return result.status >= 200 && result.status < 300 ? 'success' : 'http_error';
  if (result.blocked) return 'blocked';
  return result.error.startsWith('timed out') ? 'timeout' : 'network_error';
}

/**
 * `read` shared by the callers that ask while one read is under way, so one scrape reads once;
 * undefined when it fails (the database is down: the gauges are left empty, the scrape succeeds).
 */
function sharedPerScrape<T>(read: () => Promise<T>): () => Promise<T | undefined> {
  let pending: Promise<T | undefined> | undefined;
  return () =>
    (pending ??= read()
      .catch(() => undefined)
      .finally(() => {
        pending = undefined;
      }));
}
