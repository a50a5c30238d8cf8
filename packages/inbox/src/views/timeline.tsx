import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import type { Message } from '../api.js';
import { formatPhone, fullTime } from '../format.js';
import './delivery-bodies.css';
import { AttemptResponse, type WebhookAttempt } from './attempt-response.js';

interface StatusEntry {
  status: string;
  at: string;
  error_code: number | null;
  error_message: string | null;
}

/** A webhook delivery as `GET /api/account/webhooks/deliveries` answers it. */
interface Delivery {
  id: number;
  type: string;
  url: string;
  status: string;
  attempts: number;
  last_http_status: number | null;
  last_error: string | null;
  attempt_log: WebhookAttempt[];
}
interface TimelineResponse {
  message_handle: string;
  statuses: StatusEntry[];
  webhook_deliveries: Delivery[];
}

/** A modal dialog: every status of one message with its time and error, and every webhook attempt. */
export function Timeline({ message, onClose }: { message: Message; onClose: () => void }) {
  const handle = message.message_handle;
  const ref = useRef<HTMLDialogElement>(null);
  const [data, setData] = useState<TimelineResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ref.current?.showModal();
    api<TimelineResponse>(`/api/v2/messages/${encodeURIComponent(handle)}/timeline`)
      .then(setData)
      .catch((e: unknown) => setError(errorText(e)));
  }, [handle]);

  return (
    <dialog ref={ref} class="timeline" aria-labelledby="timeline-title" onClose={onClose}>
      <header class="dialog-header">
        <h2 id="timeline-title">Message timeline</h2>
        <button type="button" class="ghost" onClick={() => ref.current?.close()} aria-label="Close timeline">
          ✕
        </button>
      </header>
      <p class="timeline-summary">
        <span class="muted">
          {message.is_outbound ? `To ${formatPhone(message.to_number)}` : `From ${formatPhone(message.from_number)}`} ·{' '}
          {message.service}
        </span>
        {message.content !== '' && <q>{message.content}</q>}
        <span class="muted small mono">{handle}</span>
      </p>
      {error !== null && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {data === null && error === null && <p class="muted">Loading…</p>}
      {data !== null && (
        <>
          <h3>Status</h3>
          <ol class="statuses">
            {data.statuses.map((s, i) => (
              <li key={i} class={`status-entry status-${s.status.toLowerCase()}`} data-status={s.status}>
                <span class="status-name">{s.status}</span>
                <time dateTime={s.at}>{fullTime(s.at)}</time>
                {i > 0 && <span class="muted small">{elapsed(data.statuses[0]?.at ?? s.at, s.at)}</span>}
                {(s.error_code !== null || s.error_message !== null) && (
                  <span class="status-error-text">
                    {s.error_message ?? ''}
                    {s.error_code !== null ? ` (error ${s.error_code})` : ''}
                  </span>
                )}
              </li>
            ))}
          </ol>
          <h3>Webhook deliveries</h3>
          {data.webhook_deliveries.length === 0 ? (
            <p class="muted">None: no webhook endpoint was subscribed to this message’s events.</p>
          ) : (
            <ul class="deliveries">
              {data.webhook_deliveries.map((d, i) => (
                <DeliveryItem key={String(d.id ?? i)} d={d} />
              ))}
            </ul>
          )}
        </>
      )}
    </dialog>
  );
}

function DeliveryItem({ d }: { d: Delivery }) {
  return (
    <li class="delivery">
      <p class="delivery-head">
        <span class={`pill delivery-${d.status}`}>{d.status}</span> <strong>{d.type}</strong>{' '}
        <span class="mono">{d.url}</span>
      </p>
      {d.attempt_log.length === 0 ? (
        <p class="muted small">No attempt yet.</p>
      ) : (
        <table class="attempts">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Response</th>
              <th scope="col">Latency</th>
              <th scope="col">Body or error</th>
            </tr>
          </thead>
          <tbody>
            {d.attempt_log.map((a) => (
              <tr key={a.attempt}>
                <td>{a.attempt}</td>
                <td>{fullTime(a.at)}</td>
                <td class={a.http_status !== null && a.http_status < 300 ? 'ok' : 'bad'}>{a.http_status ?? '—'}</td>
                <td>{a.latency_ms} ms</td>
                <td class="excerpt-cell" data-testid="response-excerpt">
                  {a.error !== null && <span class="status-error-text">{a.error}</span>}
                  <AttemptResponse attempt={a} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}

/** "+150 ms", "+2.4 s", "+3 min" after the first status. */
function elapsed(from: string, to: string): string {
  const ms = Date.parse(to) - Date.parse(from);
  if (ms < 1000) return `+${ms} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)} s`;
  return `+${Math.round(ms / 60_000)} min`;
}
