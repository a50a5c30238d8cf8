import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.js';
import './delivery-bodies.css';

/** `GET /api/account/webhooks/deliveries/:id`: what the delivery POSTs. */
interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** JSON indented for reading; anything else as it is. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * The request of one delivery (url, signed headers, JSON body), read when the delivery is opened
 * and again after each new attempt (the timestamp and signature are the latest attempt's).
 */
export function DeliveryRequestView({ id, attempts }: { id: number; attempts: number }) {
  const [request, setRequest] = useState<DeliveryRequest | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    api<{ data: { request: DeliveryRequest } }>(`/api/account/webhooks/deliveries/${id}`)
      .then((r) => {
        if (!current) return;
        setRequest(r.data.request);
        setError(null);
      })
      .catch((e: unknown) => {
        if (current) setError(errorText(e));
      });
    return () => {
      current = false;
    };
  }, [id, attempts]);

  if (error !== null) {
    return (
      <p class="ops-error" role="alert">
        {error}
      </p>
    );
  }
  if (request === null) return <p class="ops-muted">Loading the request…</p>;
  return (
    <div class="ops-delivery-request" data-testid="delivery-request">
      <p class="body-caption">
        Request: POST <span class="ops-mono ops-wrap">{request.url}</span>
      </p>
      <pre class="body-pre" aria-label={`Request headers of delivery ${id}`} data-testid="request-headers">
        {Object.entries(request.headers)
          .map(([name, value]) => `${name}: ${value}`)
          .join('\n')}
      </pre>
      <pre class="body-pre" aria-label={`Request body of delivery ${id}`} data-testid="request-body">
        {prettyJson(request.body)}
      </pre>
    </div>
  );
}
