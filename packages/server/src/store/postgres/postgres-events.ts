import type pg from 'pg';
import { randomToken } from '../../domain/ids.js';
import { LocalEventFanout } from '../event-fanout.js';
import type { BroadcastEvent, EventsPort } from '../ports/events-port.js';
import type { JobListener } from './job-listener.js';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; this leaves room for the framing. */
const PAYLOAD_LIMIT = 7900;
/** How often a process re-announces the accounts it streams; an announcement unheard for 3 periods has died with its process. */
const REFRESH_MS = 15_000;
const EXPIRE_MS = 3 * REFRESH_MS;
const NOTIFY_SQL = "SELECT pg_notify('tapback_events', p) FROM unnest($1::text[]) AS p";

/** One event on the wire between processes (short keys: NOTIFY payloads are small). */
interface EventPayload {
  o: string;
  i: string;
  a: number;
  t: BroadcastEvent['type'];
  at: number;
  d: Record<string, unknown> | null;
}

/**
 * Live account events across the processes sharing one database, on the channel `tapback_events`
 * (its own, on the LISTEN connection of job-listener.ts). Payloads, by their first character:
 *
 * - `e{json}`: an event (with its origin process, which ignores its own);
 * - `+origin:1,2` / `-origin:1,2`: that process now streams / no longer streams these accounts;
 * - `?origin`: a process (re)connected; every other re-announces its accounts.
 *
 * A process publishes an event to the others only when one of them announced its account, so a
 * send for an account nobody streams costs a map lookup. Announcements are repeated every
 * REFRESH_MS and forgotten after EXPIRE_MS unheard, so a killed process stops attracting events.
 */
export class PostgresEvents implements EventsPort {
  private readonly origin = randomToken(8);
  private readonly local = new LocalEventFanout((accountId, watched) =>
    this.queue(`${watched ? '+' : '-'}${this.origin}:${accountId}`),
  );
  /** Accounts other processes stream: account -> origin -> when last announced. */
  private readonly remote = new Map<number, Map<string, number>>();
  private readonly gapListeners = new Set<() => void>();
  private outgoing: string[] = [];
  private flushing: Promise<void> | undefined;
  private listening = false;
  private connectedOnce = false;
  private refresh: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly listener: JobListener,
  ) {}

  publishEvents(events: readonly BroadcastEvent[]): void {
    this.local.deliver(events);
    for (const e of events) {
      if (!this.remote.has(e.accountId)) continue;
      const payload: EventPayload = { o: this.origin, i: e.id, a: e.accountId, t: e.type, at: e.occurredAt, d: e.data };
      let text = `e${JSON.stringify(payload)}`;
      // Too large to travel: the receivers get the event without its data and repair from the API.
      if (Buffer.byteLength(text) > PAYLOAD_LIMIT) text = `e${JSON.stringify({ ...payload, d: null })}`;
      this.queue(text);
    }
  }

  onEvents(listener: (events: readonly BroadcastEvent[]) => void, onGap?: () => void): () => void {
    const unsubscribe = this.local.subscribe(listener);
    if (onGap !== undefined) this.gapListeners.add(onGap);
    this.listen();
    return () => {
      unsubscribe();
      if (onGap !== undefined) this.gapListeners.delete(onGap);
    };
  }

  async watchAccountEvents(accountId: number): Promise<() => void> {
    this.listen();
    const unwatch = this.local.watch(accountId);
    await this.flush();
    return unwatch;
  }

  isAccountWatched(accountId: number): boolean {
    return this.local.isWatched(accountId) || this.remote.has(accountId);
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.listener.subscribe((payload) => this.receive(payload), 'tapback_events');
    this.refresh = setInterval(() => this.refreshAnnouncements(), REFRESH_MS);
    this.refresh.unref();
  }

  private receive(payload: string | undefined): void {
    if (payload === undefined) return this.connected();
    const kind = payload[0];
    if (kind === 'e') return this.receiveEvent(payload.slice(1));
    const [origin = '', ids = ''] = payload.slice(1).split(':');
    if (origin === this.origin) return;
    if (kind === '?') return this.announceAll();
    const now = Date.now();
    for (const text of ids.split(',')) {
      const accountId = Number(text);
      if (!Number.isSafeInteger(accountId)) continue;
      let origins = this.remote.get(accountId);
      if (kind === '+') {
        if (origins === undefined) this.remote.set(accountId, (origins = new Map()));
        origins.set(origin, now);
      } else if (kind === '-' && origins !== undefined) {
        origins.delete(origin);
        if (origins.size === 0) this.remote.delete(accountId);
      }
    }
  }

  private receiveEvent(json: string): void {
    let p: EventPayload;
    try {
      p = JSON.parse(json) as EventPayload;
    } catch {
      return;
    }
    if (p.o === this.origin || !this.local.isWatched(p.a)) return;
    this.local.deliver([{ id: p.i, accountId: p.a, type: p.t, occurredAt: p.at, data: p.d }]);
  }

  /** The LISTEN connection is (back) up: ask the others what they stream, and tell them what we do. */
  private connected(): void {
    // Events sent while it was down were lost: streams must learn, so their clients repair.
    if (this.connectedOnce) for (const onGap of this.gapListeners) onGap();
    this.connectedOnce = true;
    this.queue(`?${this.origin}`);
    this.announceAll();
  }

  private refreshAnnouncements(): void {
    if (this.pool.ending) {
      clearInterval(this.refresh);
      return;
    }
    const oldest = Date.now() - EXPIRE_MS;
    for (const [accountId, origins] of this.remote) {
      for (const [origin, seen] of origins) if (seen < oldest) origins.delete(origin);
      if (origins.size === 0) this.remote.delete(accountId);
    }
    this.announceAll();
  }

  private announceAll(): void {
    const prefix = `+${this.origin}:`;
    let ids = '';
    for (const accountId of this.local.watchedAccounts()) {
      if (prefix.length + ids.length + 16 > PAYLOAD_LIMIT) {
        this.queue(prefix + ids);
        ids = '';
      }
      ids += ids === '' ? String(accountId) : `,${accountId}`;
    }
    if (ids !== '') this.queue(prefix + ids);
  }

  /** Sends `payload` with the others of this event-loop turn, in one round trip. */
  private queue(payload: string): void {
    this.outgoing.push(payload);
    if (this.outgoing.length === 1) setImmediate(() => void this.flush());
  }

  /** Sends what is queued; resolves once PostgreSQL has accepted it (and what was sent before it). */
  private flush(): Promise<void> {
    const previous = this.flushing ?? Promise.resolve();
    const payloads = this.outgoing;
    this.outgoing = [];
    const sent = previous.then(async () => {
      if (payloads.length === 0) return;
      try {
        await this.pool.query(NOTIFY_SQL, [payloads]);
      } catch {
        // Best effort, as the port promises: a stream that misses an event is repaired by its client.
      }
    });
    this.flushing = sent;
    return sent;
  }
}
