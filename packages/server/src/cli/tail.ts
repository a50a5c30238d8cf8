import type { Command } from 'commander';
import {
  type ApiClient,
  ApiError,
  type HttpOptions,
  UnreachableError,
  clientFrom,
  httpAction,
  httpCommand,
  palette,
} from './http-client.js';

/** One line of `tapback tail`: an account event, or an attempt at a webhook delivery. */
export interface TailEntry {
  type: string;
  at: string;
  /** The message status, a delivery's status, or a typing state. */
  status: string | undefined;
  numbers: string[];
  summary: string;
  json: Record<string, unknown>;
}

export interface TailFilter {
  types: string[];
  number?: string;
  status?: string;
}

interface AccountEvent {
  id: string;
  type: string;
  occurred_at: string;
  data: Record<string, unknown> | null;
}

interface DeliveryLog {
  id: number;
  webhook_id: string;
  type: string;
  url: string;
  message_handle: string | null;
  status: string;
  attempt_log: { attempt: number; at: string; http_status: number | null; latency_ms: number; error: string | null }[];
}

const POLL_MS = 1000;
const RECONNECT_MS = [250, 500, 1000, 2000, 5000];

/**
 * `tapback tail`: the account's live events (`GET /api/v2/events`) and every webhook attempt (the
 * delivery log, polled each second: events do not carry attempts), one line each, as they happen.
 */
export function tailCommand(): Command {
  return httpCommand('tail')
    .description('follow the account: live events and webhook attempts, one line each (Ctrl-C to stop)')
    .option('--type <types>', 'only these types, comma-separated; a prefix matches (message, webhook.attempt)')
    .option('--number <number>', 'only what involves this number (contact or line)')
    .option('--status <status>', 'only this status (a message status such as DELIVERED, or a delivery status)')
    .option('--json', 'one JSON object per line')
    .action(
      httpAction(async (opts: HttpOptions & { type?: string; number?: string; status?: string; json?: boolean }) => {
        const client = clientFrom(opts);
        const filter: TailFilter = {
          types: (opts.type ?? '').split(',').filter((t) => t !== ''),
          ...(opts.number === undefined ? {} : { number: opts.number }),
          ...(opts.status === undefined ? {} : { status: opts.status }),
        };
        const print = printer(opts.json === true);
        const emit = (entry: TailEntry): void => {
          if (matches(entry, filter)) print(entry);
        };
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        process.once('SIGTERM', () => stop.abort());
        // The first read checks the credentials and the server: a mistake there is one clear line.
        const known = await seenDeliveries(client);
        const handles = new Map<string, string[]>();
        await Promise.all([
          followEvents(client, stop.signal, (entry, handle) => {
            if (handle !== undefined) handles.set(handle, entry.numbers);
            emit(entry);
          }),
          followAttempts(client, stop.signal, known, handles, emit),
        ]);
      }),
    );
}

export function matches(entry: TailEntry, filter: TailFilter): boolean {
  if (filter.types.length > 0 && !filter.types.some((t) => entry.type === t || entry.type.startsWith(`${t}.`)))
    return false;
  if (filter.number !== undefined && !entry.numbers.includes(filter.number)) return false;
  if (filter.status !== undefined && entry.status?.toLowerCase() !== filter.status.toLowerCase()) return false;
  return true;
}

function printer(json: boolean): (entry: TailEntry) => void {
  const c = palette();
  return (entry) => {
    if (json) {
      process.stdout.write(`${JSON.stringify(entry.json)}\n`);
      return;
    }
    const status = entry.status ?? '';
    const paint = /^(DELIVERED|SENT|RECEIVED|succeeded|2\d\d)$/.test(status)
      ? c.green
      : /^(ERROR|DECLINED|failed|disabled)$/.test(status)
        ? c.red
        : c.yellow;
    process.stdout.write(
      `${c.dim(entry.at)}  ${c.cyan(entry.type.padEnd(17))} ${paint(status.padEnd(10))} ${entry.summary}\n`,
    );
  };
}

/** The live stream, reconnected with `Last-Event-ID` (and deduplicated by id) until `signal` aborts. */
async function followEvents(
  client: ApiClient,
  signal: AbortSignal,
  emit: (entry: TailEntry, handle: string | undefined) => void,
): Promise<void> {
  let lastId: string | undefined;
  const seen = new Set<string>();
  let failures = 0;
  while (!signal.aborted) {
    try {
      const res = await client.fetch('/api/v2/events', {
        headers: { ...client.headers, accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal,
      });
      if (!res.ok || res.body === null) {
        const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
        throw new ApiError(res.status, body.code ?? `http_${res.status}`, body.message ?? 'the event stream failed');
      }
      failures = 0;
      for await (const event of sseEvents(res.body)) {
        if (seen.has(event.id)) continue;
        seen.add(event.id);
        if (seen.size > 10_000) seen.clear();
        lastId = event.id;
        const data = event.data ?? {};
        emit(eventEntry(event, data), typeof data.message_handle === 'string' ? data.message_handle : undefined);
      }
    } catch (error) {
      if (signal.aborted) return;
      // Bad credentials will not heal: stop; a server that went away may come back: retry.
      if (error instanceof ApiError && error.status < 500 && error.status !== 429) throw error;
      if (!(error instanceof UnreachableError) && !(error instanceof ApiError) && !isStreamBreak(error)) throw error;
    }
    await sleep(RECONNECT_MS[Math.min(failures++, RECONNECT_MS.length - 1)]!, signal);
  }
}

function isStreamBreak(error: unknown): boolean {
  return error instanceof TypeError || (error as { name?: string }).name === 'AbortError';
}

function eventEntry(event: AccountEvent, data: Record<string, unknown>): TailEntry {
  const str = (key: string): string | undefined => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  const numbers = ['number', 'from_number', 'to_number', 'sendblue_number']
    .map(str)
    .filter((n): n is string => n !== undefined && n !== '');
  const status =
    str('status') ?? (typeof data.is_typing === 'boolean' ? (data.is_typing ? 'typing' : 'stopped') : undefined);
  const route =
    str('from_number') !== undefined ? `${str('from_number')} -> ${str('to_number') ?? '?'}` : numbers.join(' ');
  const handle = str('message_handle');
  const previous = str('previous_status');
  const summary = [route, handle, previous === undefined ? undefined : `(was ${previous})`]
    .filter((s) => s !== undefined && s !== '')
    .join('  ');
  return {
    type: event.type,
    at: event.occurred_at,
    status,
    numbers: [...new Set(numbers)],
    summary,
    json: { ...event },
  };
}

/** Server-Sent Events of the account stream: each `data:` line holds one JSON event. */
async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<AccountEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data !== '') yield JSON.parse(data) as AccountEvent;
    }
  }
}

/** The attempts already made when tail starts: only later ones are shown. */
async function seenDeliveries(client: ApiClient): Promise<Map<number, number>> {
  const page = await client.request<{ data: DeliveryLog[] }>('GET', '/api/account/webhooks/deliveries?limit=100');
  return new Map(page.data.map((d) => [d.id, d.attempt_log.length]));
}

async function followAttempts(
  client: ApiClient,
  signal: AbortSignal,
  known: Map<number, number>,
  handles: ReadonlyMap<string, string[]>,
  emit: (entry: TailEntry) => void,
): Promise<void> {
  while (!signal.aborted) {
    await sleep(POLL_MS, signal);
    if (signal.aborted) return;
    let page: { data: DeliveryLog[] };
    try {
      page = await client.request('GET', '/api/account/webhooks/deliveries?limit=100');
    } catch (error) {
      if (error instanceof UnreachableError || (error instanceof ApiError && error.status >= 500)) continue;
      throw error;
    }
    // The log lists newest first; attempts print oldest first.
    for (const d of [...page.data].reverse()) {
      const shown = known.get(d.id) ?? 0;
      for (const a of d.attempt_log.slice(shown)) emit(attemptEntry(d, a, handles));
      known.set(d.id, Math.max(shown, d.attempt_log.length));
    }
  }
}

function attemptEntry(
  d: DeliveryLog,
  a: DeliveryLog['attempt_log'][number],
  handles: ReadonlyMap<string, string[]>,
): TailEntry {
  const outcome = a.http_status === null ? (a.error ?? 'no answer') : String(a.http_status);
  return {
    type: 'webhook.attempt',
    at: a.at,
    status: d.status,
    numbers: d.message_handle === null ? [] : (handles.get(d.message_handle) ?? []),
    summary: `${d.type} #${a.attempt} POST ${d.url} -> ${outcome} (${a.latency_ms} ms)`,
    json: {
      type: 'webhook.attempt',
      delivery_id: d.id,
      webhook_id: d.webhook_id,
      webhook_type: d.type,
      url: d.url,
      message_handle: d.message_handle,
      attempt: a.attempt,
      at: a.at,
      http_status: a.http_status,
      latency_ms: a.latency_ms,
      error: a.error,
      status: d.status,
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
