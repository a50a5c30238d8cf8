import { Agent, request } from 'undici';
import {
  type AddressPolicy,
  BlockedAddressError,
  checkOutboundUrl,
  guardedConnector,
  type GuardedConnectorOptions,
  type Lookup,
} from './ssrf-guard.js';
import { parseRetryAfter } from './retry-schedule.js';
import { readExcerpt } from './response-excerpt.js';

export type SendResult =
  | {
      kind: 'response';
      status: number;
      retryAfterMs: number | undefined;
      durationMs: number;
      /** The first 1,024 bytes of the body (response-excerpt.ts). */
      excerpt: string;
      contentType: string | null;
    }
  /** No HTTP status: refused, reset, timed out, or `blocked` by the SSRF guard (never retried). */
  | { kind: 'error'; error: string; blocked: boolean; durationMs: number };

export interface HttpSenderOptions {
  policy: AddressPolicy;
  /** Whole-attempt limit: connect, send, and the response's headers and body. */
  timeoutMs: number;
  userAgent: string;
  lookup?: Lookup;
  dial?: GuardedConnectorOptions['dial'];
}

/**
 * POSTs to user-supplied URLs: through the SSRF guard, never following redirects (a 3xx is just
 * a failed attempt), and aborted at the timeout. Shared by webhooks and, later, media fetches.
 */
export class HttpSender {
  private readonly agent: Agent;

  constructor(private readonly options: HttpSenderOptions) {
    this.agent = new Agent({
      connect: guardedConnector({
        policy: options.policy,
        timeoutMs: options.timeoutMs,
        ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
        ...(options.dial === undefined ? {} : { dial: options.dial }),
      }),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 4_000,
    });
  }

  async post(url: string, body: string, headers: Record<string, string>): Promise<SendResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      checkOutboundUrl(url, this.options.policy);
      const response = await request(url, {
        method: 'POST',
        body,
        headers: { ...headers, 'user-agent': this.options.userAgent },
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      // Only the excerpt is read: a larger answer's connection is dropped rather than drained, and a
      // slow one is cut by the attempt's timeout, so neither holds a dispatcher slot.
      const excerpt = await readExcerpt(response.body);
      const retryAfter = response.headers['retry-after'];
      const contentType = response.headers['content-type'];
      // Wall time on purpose: a Retry-After date is the receiver's real time, not the server's clock.
      return {
        kind: 'response',
        status: response.statusCode,
        retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, Date.now()),
        durationMs: elapsed(),
        excerpt,
        contentType: (Array.isArray(contentType) ? contentType[0] : contentType) ?? null,
      };
    } catch (error) {
      return {
        kind: 'error',
        error: describe(error, this.options.timeoutMs),
        blocked: isBlocked(error),
        durationMs: elapsed(),
      };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function isBlocked(error: unknown): boolean {
  return (
    error instanceof BlockedAddressError || (error as { code?: unknown } | null)?.code === 'ERR_TAPBACK_BLOCKED_ADDRESS'
  );
}

function describe(error: unknown, timeoutMs: number): string {
  if (isBlocked(error)) return `blocked: ${(error as Error).message}`;
  const e = error as { name?: string; code?: string; message?: string } | null;
  if (e?.name === 'TimeoutError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT') {
    return `timed out after ${timeoutMs} ms`;
  }
  const message = e?.message ?? String(error);
  return e?.code !== undefined && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}
