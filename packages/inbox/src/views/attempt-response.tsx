/** One attempt of a webhook delivery, as the delivery log and a message's timeline both show it. */
export interface WebhookAttempt {
  attempt: number;
  at: string;
  http_status: number | null;
  latency_ms: number;
  error: string | null;
  /** At most the first 1,024 bytes of the endpoint's answer; null when none came. */
  response_excerpt: string | null;
  response_content_type: string | null;
}

/** What the endpoint answered: its content type, and the excerpt of its body when there was one. */
export function AttemptResponse({ attempt: a }: { attempt: WebhookAttempt }) {
  return (
    <>
      {a.response_content_type !== null && <span class="muted small"> {a.response_content_type}</span>}
      {a.response_excerpt !== null && a.response_excerpt !== '' && (
        <pre class="body-pre" aria-label={`Response body of attempt ${a.attempt}`}>
          {a.response_excerpt}
        </pre>
      )}
    </>
  );
}
