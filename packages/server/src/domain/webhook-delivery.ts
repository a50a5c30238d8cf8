import type { DeliveryKind, DeliveryStatus, WebhookType } from './webhook.js';

/** An account's webhook entry: where events of one type go. */
export interface WebhookEndpoint {
  id: number;
  accountId: number;
  type: WebhookType;
  url: string;
  /** Sent as `sb-signing-secret`; falls back to the account's global secret. */
  secret: string | null;
  /** `receive` only: deliver just the events of these lines. */
  sendblueNumbers: string[] | null;
  disabledAt: number | null;
  disabledReason: string | null;
  createdAt: number;
}

export type WebhookEndpointInput = Pick<WebhookEndpoint, 'type' | 'url' | 'secret' | 'sendblueNumbers'>;

export interface WebhookConfig {
  /** Standard Webhooks key (`whsec_...`) that signs every delivery of the account. */
  signingSecret: string;
  globalSecret: string | null;
  endpoints: WebhookEndpoint[];
}

export interface WebhookConfigUpdate {
  mode: 'append' | 'replace';
  endpoints: WebhookEndpointInput[];
  /** Undefined leaves it unchanged; null clears it. */
  globalSecret?: string | null;
}

export interface NewWebhookDelivery {
  accountId: number;
  kind: DeliveryKind;
  endpointId: number | null;
  url: string;
  messageId: number | null;
  messageHandle: string | null;
  statusSeq: number | null;
  /** The exact JSON body, fixed when the event happened (retries resend the same bytes). */
  payload: string;
}

export interface WebhookDelivery {
  id: number;
  webhookId: string;
  accountId: number;
  kind: DeliveryKind;
  endpointId: number | null;
  url: string;
  destination: string;
  messageHandle: string | null;
  statusSeq: number | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  lastHttpStatus: number | null;
  replayOf: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookAttempt {
  attempt: number;
  startedAt: number;
  durationMs: number;
  httpStatus: number | null;
  error: string | null;
  /** The headers the attempt was signed with (a shared `sb-signing-secret` redacted); null on rows older than the log of them. */
  requestHeaders: Record<string, string> | null;
  /** At most the first 1,024 bytes of the answer's body (UTF-8, lossy); null when no answer came. */
  responseExcerpt: string | null;
  responseContentType: string | null;
}

/** One delivery with what it sends: the exact payload and its log. */
export interface WebhookDeliveryDetail extends WebhookDeliveryLog {
  payload: string;
}

export interface WebhookDeliveryLog extends WebhookDelivery {
  attemptLog: WebhookAttempt[];
}

export interface ClaimedDelivery {
  delivery: WebhookDelivery;
  payload: string;
  signingSecret: string;
  /** The entry's secret or the account's global secret, for `sb-signing-secret`. */
  sharedSecret: string | null;
}

export type WebhookOutcome =
  | { kind: 'succeeded' }
  | { kind: 'retry'; at: number }
  | { kind: 'failed' }
  /** 410 Gone: the endpoint is disabled and its pending deliveries with it. */
  | { kind: 'gone' };

/** What an attempt logs beyond its outcome; absent is null (callers that record bare outcomes). */
type AttemptBodies = 'requestHeaders' | 'responseExcerpt' | 'responseContentType';

export interface WebhookAttemptResult {
  deliveryId: number;
  attempt: Omit<WebhookAttempt, 'attempt' | AttemptBodies> & Partial<Pick<WebhookAttempt, AttemptBodies>>;
  outcome: WebhookOutcome;
  now: number;
}
