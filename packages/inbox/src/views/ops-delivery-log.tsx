import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api, errorText } from '../api.js';
import { onEvent, onReconnect } from '../live.js';
import { count, formatTime } from './ops-format.js';
import { DeliveryRequestView } from './ops-delivery-request.js';
import { AttemptResponse, type WebhookAttempt } from './attempt-response.js';

const STATUSES = ['pending', 'succeeded', 'failed', 'disabled'] as const;
const PAGE = 20;
/** Message events come in bursts (created, sent, delivered): one read of the log per burst. */
const DEBOUNCE_MS = 300;

interface Delivery {
  id: number;
  webhook_id: string;
  type: string;
  url: string;
  message_handle: string | null;
  status: (typeof STATUSES)[number];
  attempts: number;
  next_attempt_at: string | null;
  last_http_status: number | null;
  last_error: string | null;
  replay_of: number | null;
  created_at: string;
  attempt_log: WebhookAttempt[];
}

interface DeliveryPage {
  data: Delivery[];
  pagination: { total: number; limit: number; offset: number; hasMore: boolean };
}

/**
 * When to read the log again while a shown delivery is pending: attempts publish no event, so the
 * log polls until its next attempt is due, between 1 and 3 s from now. Never later: while an
 * attempt is in flight, `next_attempt_at` is the end of its lease (the webhook timeout and a
 * margin), long after the answer is usually recorded.
 */
function pollDelay(deliveries: Delivery[]): number | null {
  const due = deliveries
    .filter((d) => d.status === 'pending')
    .map((d) => (d.next_attempt_at === null ? Date.now() : Date.parse(d.next_attempt_at)));
  if (due.length === 0) return null;
  return Math.min(3_000, Math.max(1_000, Math.min(...due) - Date.now()));
}

/** How soon a log whose read failed reads again. */
const RETRY_MS = 2_000;

/** Every delivery of the account's webhooks and status callbacks, newest first, with its attempts and a replay. */
export function DeliveryLog() {
  const page = useSignal<DeliveryPage | null>(null);
  const status = useSignal('');
  const offset = useSignal(0);
  const error = useSignal<string | null>(null);
  const notice = useSignal('');
  const open = useSignal<ReadonlySet<number>>(new Set());
  const timers = useRef<{ debounce?: number; poll?: number; gone?: boolean }>({});

  const load = async (): Promise<void> => {
    const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset.value) });
    if (status.value !== '') query.set('status', status.value);
    try {
      const next = await api<DeliveryPage>(`/api/account/webhooks/deliveries?${query}`);
      page.value = next;
      error.value = null;
      window.clearTimeout(timers.current.poll);
      // A read that answers after the view closed must not start polling again.
      if (timers.current.gone === true) return;
      const delay = pollDelay(next.data);
      if (delay !== null) timers.current.poll = window.setTimeout(() => void load(), delay);
    } catch (e) {
      error.value = errorText(e);
      // A failed read (the server restarting, a moment's overload) must not freeze a live log.
      window.clearTimeout(timers.current.poll);
      if (timers.current.gone !== true) timers.current.poll = window.setTimeout(() => void load(), RETRY_MS);
    }
  };

  useEffect(() => {
    timers.current.gone = false;
    void load();
    const soon = (): void => {
      window.clearTimeout(timers.current.debounce);
      timers.current.debounce = window.setTimeout(() => void load(), DEBOUNCE_MS);
    };
    const offEvent = onEvent(['message.created', 'message.updated', 'message.received'], soon);
    const offReconnect = onReconnect(soon);
    return () => {
      offEvent();
      offReconnect();
      timers.current.gone = true;
      window.clearTimeout(timers.current.debounce);
      window.clearTimeout(timers.current.poll);
    };
  }, []);

  const toggle = (id: number): void => {
    const next = new Set(open.value);
    if (!next.delete(id)) next.add(id);
    open.value = next;
  };

  const replay = async (d: Delivery): Promise<void> => {
    try {
      const r = await api<{ data: Delivery }>(`/api/account/webhooks/deliveries/${d.id}/replay`, { method: 'POST' });
      notice.value = `Delivery ${d.id} replayed as delivery ${r.data.id}.`;
      // The replay is the newest delivery: show the first page, with it open.
      offset.value = 0;
      open.value = new Set([...open.value, r.data.id]);
      await load();
    } catch (e) {
      error.value = errorText(e);
    }
  };

  const p = page.value;
  return (
    <section class="ops-panel" aria-labelledby="deliveries-heading">
      <h3 id="deliveries-heading">Delivery log</h3>
      <div class="ops-form">
        <div class="ops-field">
          <label for="ops-delivery-status">Status</label>
          <select
            id="ops-delivery-status"
            value={status.value}
            onChange={(ev) => {
              status.value = ev.currentTarget.value;
              offset.value = 0;
              void load();
            }}
          >
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <button type="button" class="ops-button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {error.value !== null && (
        <p class="ops-error" role="alert">
          {error.value}
        </p>
      )}
      <p class="ops-muted" role="status">
        {notice.value}
      </p>
      {p === null ? (
        <p class="ops-muted">Loading…</p>
      ) : p.data.length === 0 ? (
        <p class="ops-muted">No deliveries{status.value === '' ? '' : ` with status ${status.value}`}.</p>
      ) : (
        <ul class="ops-deliveries" data-testid="deliveries">
          {p.data.map((d) => (
            <DeliveryItem
              key={d.id}
              delivery={d}
              expanded={open.value.has(d.id)}
              onToggle={() => toggle(d.id)}
              onReplay={() => void replay(d)}
            />
          ))}
        </ul>
      )}
      {p !== null && p.pagination.total > 0 && (
        <nav class="ops-pager" aria-label="Delivery log pages">
          <button
            type="button"
            class="ops-button"
            disabled={offset.value === 0}
            onClick={() => {
              offset.value = Math.max(0, offset.value - PAGE);
              void load();
            }}
          >
            Newer
          </button>
          <span>
            {p.pagination.offset + 1}–{p.pagination.offset + p.data.length} of {p.pagination.total}
          </span>
          <button
            type="button"
            class="ops-button"
            disabled={!p.pagination.hasMore}
            onClick={() => {
              offset.value += PAGE;
              void load();
            }}
          >
            Older
          </button>
        </nav>
      )}
    </section>
  );
}

interface DeliveryItemProps {
  delivery: Delivery;
  expanded: boolean;
  onToggle: () => void;
  onReplay: () => void;
}

function DeliveryItem({ delivery: d, expanded, onToggle, onReplay }: DeliveryItemProps) {
  const detailsId = `delivery-${d.id}-attempts`;
  return (
    <li class="ops-delivery" data-delivery-id={d.id} data-status={d.status} data-attempts={d.attempts}>
      <div class="ops-delivery-row">
        <button
          type="button"
          class="ops-disclosure"
          aria-expanded={expanded}
          aria-controls={detailsId}
          onClick={onToggle}
        >
          <span class="ops-mono">#{d.id}</span> <span class={`ops-badge ops-status-${d.status}`}>{d.status}</span>{' '}
          {d.type} → <span class="ops-mono ops-wrap">{d.url}</span>
        </button>
        <span class="ops-muted">
          {count(d.attempts, 'attempt')}
          {d.last_http_status === null ? '' : `, last HTTP ${d.last_http_status}`}
          {d.replay_of === null ? '' : `, replay of #${d.replay_of}`} · {formatTime(d.created_at)}
        </span>
        <button type="button" class="ops-button" aria-label={`Replay delivery ${d.id}`} onClick={onReplay}>
          Replay
        </button>
      </div>
      <div id={detailsId} class="ops-delivery-details" hidden={!expanded}>
        <p class="ops-muted">
          webhook-id <span class="ops-mono">{d.webhook_id}</span>
          {d.message_handle === null ? '' : ' · message '}
          {d.message_handle !== null && <span class="ops-mono">{d.message_handle}</span>}
          {d.next_attempt_at === null ? '' : ` · next attempt ${formatTime(d.next_attempt_at)}`}
        </p>
        {expanded && <DeliveryRequestView id={d.id} attempts={d.attempts} />}
        {d.attempt_log.length === 0 ? (
          <p class="ops-muted">Not attempted yet.</p>
        ) : (
          <table class="ops-table" aria-label={`Attempts of delivery ${d.id}`}>
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Time</th>
                <th scope="col">Response</th>
                <th scope="col">Latency</th>
                <th scope="col">Error</th>
                <th scope="col">Response body</th>
              </tr>
            </thead>
            <tbody>
              {d.attempt_log.map((a) => (
                <tr key={a.attempt} data-attempt={a.attempt}>
                  <td>{a.attempt}</td>
                  <td>{formatTime(a.at)}</td>
                  <td>{a.http_status === null ? 'none' : `HTTP ${a.http_status}`}</td>
                  <td>{a.latency_ms} ms</td>
                  <td class="ops-wrap">{a.error ?? ''}</td>
                  <td data-testid="response-excerpt">
                    <AttemptResponse attempt={a} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </li>
  );
}
