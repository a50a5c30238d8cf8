import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, errorText } from '../api.js';
import { DeliveryLog } from './ops-delivery-log.js';
import './ops.css';

/** The webhook types `/api/account/webhooks` keeps entries for (the server's order). */
const WEBHOOK_TYPES = [
  'receive',
  'outbound',
  'typing_indicator',
  'call_log',
  'line_blocked',
  'line_assigned',
  'contact_created',
] as const;
type WebhookType = (typeof WEBHOOK_TYPES)[number];

type Entry = string | { url: string; sendblue_numbers?: string[]; disabled?: boolean; disabled_reason?: string };

interface WebhooksResponse {
  webhooks: Record<WebhookType, Entry[]>;
}

interface Endpoint {
  type: WebhookType;
  url: string;
  lines: string[] | null;
  disabled: string | null;
}

function endpointsOf(r: WebhooksResponse): Endpoint[] {
  return WEBHOOK_TYPES.flatMap((type) =>
    (r.webhooks[type] ?? []).map((e) =>
      typeof e === 'string'
        ? { type, url: e, lines: null, disabled: null }
        : {
            type,
            url: e.url,
            lines: e.sendblue_numbers ?? null,
            disabled: e.disabled === true ? (e.disabled_reason ?? 'disabled') : null,
          },
    ),
  );
}

/** The account's webhook endpoints, their delivery log and replay. */
export function WebhooksView() {
  const endpoints = useSignal<Endpoint[] | null>(null);
  const error = useSignal<string | null>(null);
  const notice = useSignal('');
  const url = useSignal('');
  const type = useSignal<WebhookType>('receive');
  const busy = useSignal(false);

  const load = async (): Promise<void> => {
    try {
      endpoints.value = endpointsOf(await api<WebhooksResponse>('/api/account/webhooks'));
      error.value = null;
    } catch (e) {
      error.value = errorText(e);
    }
  };
  useEffect(() => void load(), []);

  const change = async (method: 'POST' | 'DELETE', body: unknown, done: string): Promise<boolean> => {
    busy.value = true;
    try {
      const answer = await api<Partial<WebhooksResponse>>('/api/account/webhooks', { method, body });
      // POST answers with the whole list; DELETE only with a message, so the list is read again.
      if (answer.webhooks === undefined) await load();
      else endpoints.value = endpointsOf({ webhooks: answer.webhooks });
      error.value = null;
      notice.value = done;
      return true;
    } catch (e) {
      error.value = errorText(e);
      return false;
    } finally {
      busy.value = false;
    }
  };

  const add = async (event: Event): Promise<void> => {
    event.preventDefault();
    const target = url.value.trim();
    if (await change('POST', { webhooks: [target], type: type.value }, `Added ${target} (${type.value}).`)) {
      url.value = '';
    }
  };

  const remove = (e: Endpoint) =>
    change('DELETE', { webhooks: [e.url], type: e.type }, `Deleted ${e.url} (${e.type}).`);

  return (
    <section class="ops-view" aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      <section class="ops-panel" aria-labelledby="endpoints-heading">
        <h3 id="endpoints-heading">Endpoints</h3>
        {error.value !== null && (
          <p class="ops-error" role="alert">
            {error.value}
          </p>
        )}
        <p class="ops-muted" role="status">
          {notice.value}
        </p>
        {endpoints.value === null ? (
          <p class="ops-muted">Loading…</p>
        ) : endpoints.value.length === 0 ? (
          <p class="ops-muted">No endpoints yet: events are not delivered anywhere.</p>
        ) : (
          <table class="ops-table" data-testid="endpoints-table">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">URL</th>
                <th scope="col">Lines</th>
                <th scope="col">
                  <span class="ops-visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {endpoints.value.map((e) => (
                <tr key={`${e.type} ${e.url}`}>
                  <td>{e.type}</td>
                  <td class="ops-mono ops-wrap">
                    {e.url}
                    {e.disabled !== null && <span class="ops-badge ops-status-failed"> disabled: {e.disabled}</span>}
                  </td>
                  <td>{e.lines === null ? 'all' : e.lines.join(', ')}</td>
                  <td>
                    <button
                      type="button"
                      class="ops-button ops-danger"
                      disabled={busy.value}
                      aria-label={`Delete ${e.type} webhook ${e.url}`}
                      onClick={() => void remove(e)}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <form class="ops-form" onSubmit={(ev) => void add(ev)}>
          <div class="ops-field">
            <label for="ops-webhook-url">URL</label>
            <input
              id="ops-webhook-url"
              type="url"
              required
              placeholder="https://example.com/hooks/tapback"
              value={url.value}
              onInput={(ev) => (url.value = ev.currentTarget.value)}
            />
          </div>
          <div class="ops-field">
            <label for="ops-webhook-type">Type</label>
            <select
              id="ops-webhook-type"
              value={type.value}
              onChange={(ev) => (type.value = ev.currentTarget.value as WebhookType)}
            >
              {WEBHOOK_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="ops-button ops-primary" disabled={busy.value}>
            Add endpoint
          </button>
        </form>
      </section>
      <DeliveryLog />
    </section>
  );
}
