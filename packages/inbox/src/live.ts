import { signal } from '@preact/signals';

/** One account event as the stream sends it (the SDK's `AccountEvent`). */
export interface AccountEvent {
  id: string;
  type: string;
  occurred_at: string;
  data: Record<string, unknown>;
}

export type LiveState = 'connecting' | 'live' | 'offline';

/** Whether the event stream is open; the header shows it. */
export const liveState = signal<LiveState>('offline');

/** `occurred_at` of the newest event seen: where a view's repair starts after a reconnect. */
export const lastSeenAt = signal<string | null>(null);

type Handler = (event: AccountEvent) => void;

const handlers = new Set<{ types: ReadonlySet<string>; handler: Handler }>();
const reconnectHandlers = new Set<(since: string | null) => void>();
// Deliveries may repeat around reconnects: remember recent ids.
const seen = new Set<string>();
const SEEN_MAX = 2000;

let source: EventSource | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let attempt = 0;
let opened = false;
let connectedAt: string | null = null;
/** Where the first open's repair starts: a little before `startLive`. */
let readingSince: string | null = null;

/**
 * How far before `startLive` the first open's repair reaches back. The views read their first page
 * just before the stream is started (their effects run before the shell's), and the server's clock
 * (which stamps `updated_at`) may run a little ahead of or behind the browser's.
 */
const FIRST_OPEN_MARGIN_MS = 10_000;

/** Calls `handler` for every event of one of `types`; returns the unsubscribe. */
export function onEvent(types: string[], handler: Handler): () => void {
  const entry = { types: new Set(types), handler };
  handlers.add(entry);
  return () => handlers.delete(entry);
}

/**
 * Calls `handler` each time the stream opens, with the time to repair from. On the first open it is
 * a little before the app started reading: events between a view's first read and the stream's
 * opening reach no handler, so the view reads them again. On every reconnect it is the last event's
 * `occurred_at`, or when the previous connection opened if no event came.
 */
export function onReconnect(handler: (since: string | null) => void): () => void {
  reconnectHandlers.add(handler);
  return () => reconnectHandlers.delete(handler);
}

/** Opens the stream (once); it reconnects by itself until `stopLive`. */
export function startLive(url = '/api/v2/events'): void {
  if (source !== null || retryTimer !== undefined) return;
  readingSince = new Date(Date.now() - FIRST_OPEN_MARGIN_MS).toISOString();
  connect(url);
}

export function stopLive(): void {
  clearTimeout(retryTimer);
  retryTimer = undefined;
  source?.close();
  source = null;
  opened = false;
  attempt = 0;
  liveState.value = 'offline';
}

function connect(url: string): void {
  retryTimer = undefined;
  liveState.value = 'connecting';
  const es = new EventSource(url, { withCredentials: true });
  source = es;
  es.onopen = () => {
    attempt = 0;
    liveState.value = 'live';
    const since = opened ? (lastSeenAt.value ?? connectedAt) : readingSince;
    connectedAt = new Date().toISOString();
    opened = true;
    for (const h of reconnectHandlers) h(since);
  };
  es.onmessage = (message: MessageEvent<string>) => dispatch(message.data);
  // The browser's own retry does not back off and gives up on some answers: reconnect ourselves.
  es.onerror = () => {
    es.close();
    if (source !== es) return;
    source = null;
    liveState.value = 'offline';
    const delay = Math.min(10_000, 250 * 2 ** attempt) * (0.75 + Math.random() / 2);
    attempt++;
    retryTimer = setTimeout(() => connect(url), delay);
  };
}

function dispatch(raw: string): void {
  let event: AccountEvent;
  try {
    event = JSON.parse(raw) as AccountEvent;
  } catch {
    return;
  }
  if (seen.has(event.id)) return;
  seen.add(event.id);
  if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value as string);
  if (lastSeenAt.value === null || event.occurred_at > lastSeenAt.value) lastSeenAt.value = event.occurred_at;
  for (const { types, handler } of handlers) if (types.has(event.type)) handler(event);
}
