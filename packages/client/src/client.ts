import { APIPromise, type WithResponse } from './api-promise.js';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, TapbackError } from './errors.js';
import { Messages } from './resources/messages.js';
import { DEFAULT_MAX_RETRIES, retryDelayMs } from './retry.js';
import { sleep } from './sleep.js';
import { VERSION } from './version.js';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:4010';
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface ClientOptions {
  /** API key id, sent as `sb-api-key-id`. Default: `TAPBACK_API_KEY_ID`, else `SENDBLUE_API_API_KEY`. */
  apiKey?: string;
  /** API secret, sent as `sb-api-secret-key`. Default: `TAPBACK_API_SECRET`, else `SENDBLUE_API_API_SECRET`. */
  apiSecret?: string;
  /** Server origin. Default: `TAPBACK_BASE_URL`, else `SENDBLUE_API_BASE_URL`, else `http://127.0.0.1:4010`. */
  baseURL?: string;
  /** Milliseconds one attempt may take, response body included. Default 60 000. */
  timeout?: number;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** A `fetch` implementation. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string>;
}

/** Options of a single call; each overrides the client's setting. */
export interface RequestOptions {
  /** Milliseconds one attempt may take. */
  timeout?: number;
  /** Aborts the call, including any wait between retries. */
  signal?: AbortSignal;
  /** Retries after the first attempt. */
  maxRetries?: number;
  /** Replaces the generated `Idempotency-Key` of a POST (reuse one to make your own retries safe). */
  idempotencyKey?: string;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
}

export type QueryValue = string | number | boolean | undefined;

export interface APIRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
}

type Attempt =
  { kind: 'response'; response: Response; body: unknown } | { kind: 'no-response'; error: APIConnectionError };

/**
 * The Tapback API client. Works against any Sendblue-compatible server.
 *
 * @example
 * import { Tapback } from '@tapback/client';
 *
 * const client = new Tapback({ apiKey: 'key id', apiSecret: 'secret', baseURL: 'http://127.0.0.1:4010' });
 * const message = await client.messages.send({ number: '+19998887777', from_number: '+15550001000', content: 'Hi' });
 */
export class Tapback {
  readonly baseURL: string;
  readonly timeout: number;
  readonly maxRetries: number;
  /** Sending, reading and waiting for messages. */
  readonly messages: Messages;
  readonly #apiKey: string;
  readonly #apiSecret: string;
  readonly #fetch: typeof fetch;
  readonly #defaultHeaders: Record<string, string>;

  /**
   * @example
   * // Reads TAPBACK_API_KEY_ID, TAPBACK_API_SECRET and TAPBACK_BASE_URL:
   * const client = new Tapback();
   * // Or explicitly, with a shorter timeout and no retries:
   * const strict = new Tapback({ apiKey, apiSecret, baseURL, timeout: 5_000, maxRetries: 0 });
   */
  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv('TAPBACK_API_KEY_ID') ?? readEnv('SENDBLUE_API_API_KEY');
    const apiSecret = options.apiSecret ?? readEnv('TAPBACK_API_SECRET') ?? readEnv('SENDBLUE_API_API_SECRET');
    if (apiKey === undefined || apiKey === '') {
      throw new TapbackError('Missing API key id: pass apiKey or set TAPBACK_API_KEY_ID (or SENDBLUE_API_API_KEY)');
    }
    if (apiSecret === undefined || apiSecret === '') {
      throw new TapbackError(
        'Missing API secret: pass apiSecret or set TAPBACK_API_SECRET (or SENDBLUE_API_API_SECRET)',
      );
    }
    this.#apiKey = apiKey;
    this.#apiSecret = apiSecret;
    this.baseURL = (
      options.baseURL ??
      readEnv('TAPBACK_BASE_URL') ??
      readEnv('SENDBLUE_API_BASE_URL') ??
      DEFAULT_BASE_URL
    ).replace(/\/+$/, '');
    if (!URL.canParse(this.baseURL)) throw new TapbackError(`baseURL is not a URL: ${this.baseURL}`);
    this.timeout = checkCount('timeout', options.timeout ?? DEFAULT_TIMEOUT_MS);
    this.maxRetries = checkCount('maxRetries', options.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#defaultHeaders = options.defaultHeaders ?? {};
    this.messages = new Messages(this);
  }

  /**
   * Sends one request, retrying it as `retry.ts` decides; the building block of every resource
   * method, usable for endpoints this package does not wrap yet.
   *
   * @example
   * const health = await client.request<{ status: string }>({ method: 'GET', path: '/healthz' });
   */
  request<T>(request: APIRequest, options: RequestOptions = {}): APIPromise<T> {
    return new APIPromise(this.#execute<T>(request, options));
  }

  async #execute<T>(request: APIRequest, options: RequestOptions): Promise<WithResponse<T>> {
    const timeout = checkCount('timeout', options.timeout ?? this.timeout);
    const maxRetries = checkCount('maxRetries', options.maxRetries ?? this.maxRetries);
    const url = this.#url(request);
    const headers = this.#headers(request, options);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const { signal } = options;
    for (let retriesDone = 0; ; retriesDone++) {
      if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
      const attempt = await this.#attempt(request.method, url, headers, body, timeout, signal);
      if (attempt.kind === 'response' && attempt.response.ok) {
        return { data: successBody<T>(attempt.response, attempt.body), response: attempt.response };
      }
      const outcome =
        attempt.kind === 'response'
          ? { kind: 'response' as const, status: attempt.response.status, headers: attempt.response.headers }
          : { kind: 'no-response' as const };
      const delay = retryDelayMs(outcome, { retriesDone, maxRetries });
      if (delay === undefined) {
        throw attempt.kind === 'response'
          ? APIError.generate(attempt.response.status, attempt.body, attempt.response.headers)
          : attempt.error;
      }
      await sleep(delay, signal).catch((reason: unknown) => {
        throw new APIUserAbortError({ cause: reason });
      });
    }
  }

  /** One attempt: the response with its body read, or why none arrived within `timeout`. */
  async #attempt(
    method: string,
    url: string,
    headers: Headers,
    body: string | undefined,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.#fetch.call(undefined, url, { method, headers, body, signal: controller.signal });
      const text = await response.text();
      return { kind: 'response', response, body: parseBody(text) };
    } catch (error) {
      if (signal?.aborted) throw new APIUserAbortError({ cause: error });
      if (timedOut) return { kind: 'no-response', error: new APIConnectionTimeoutError({ cause: error }) };
      return { kind: 'no-response', error: new APIConnectionError({ cause: error }) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #url({ path, query }: APIRequest): string {
    const url = new URL(this.baseURL + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  #headers(request: APIRequest, options: RequestOptions): Headers {
    const headers = new Headers({
      accept: 'application/json',
      'user-agent': `tapback-client/${VERSION}${runtime()}`,
      'sb-api-key-id': this.#apiKey,
      'sb-api-secret-key': this.#apiSecret,
    });
    if (request.body !== undefined) headers.set('content-type', 'application/json');
    // One key per call, generated before the first attempt, so every retry of a send replays
    // the first one's result instead of creating another message.
    if (request.method !== 'GET') headers.set('idempotency-key', options.idempotencyKey ?? crypto.randomUUID());
    for (const [name, value] of Object.entries({ ...this.#defaultHeaders, ...options.headers })) {
      headers.set(name, value);
    }
    return headers;
  }
}

// `globalThis.process` rather than `process`: the client also loads where there is no Node global.
function readEnv(name: string): string | undefined {
  const value = globalThis.process?.env?.[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function runtime(): string {
  const version = globalThis.process?.versions?.node;
  return version === undefined ? '' : ` node/${version}`;
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new TapbackError(`${name} must be a whole number of 0 or more, got ${value}`);
  }
  return value;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A 2xx answer must be JSON; anything else (a proxy's HTML page, say) is reported, not returned. */
function successBody<T>(response: Response, body: unknown): T {
  if (typeof body === 'object' && body !== null) return body as T;
  throw new APIError(
    response.status,
    body,
    `${response.status} expected a JSON object from ${response.url || 'the server'}, got ${JSON.stringify(body)}`,
    response.headers,
  );
}
