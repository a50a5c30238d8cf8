import { Agent, request } from 'undici';
import type { FetchedMedia, MediaFetcher } from '../domain/media.js';
import {
  type AddressPolicy,
  BlockedAddressError,
  checkOutboundUrl,
  guardedConnector,
  type Lookup,
} from './ssrf-guard.js';

/**
 * GETs media from user-supplied URLs for Tapback to store: through the SSRF guard (the address
 * actually dialled must be public, or allowed by `TAPBACK_ALLOW_PRIVATE_CIDRS`), without following
 * redirects (a redirect could lead anywhere; the client can give the final URL), with the whole
 * fetch under one deadline and the body cut off as soon as it passes the size limit, so neither a
 * slow nor an endless source holds memory or a request for long.
 */
export class GuardedMediaFetcher implements MediaFetcher {
  private readonly agent: Agent;

  constructor(
    private readonly options: { policy: AddressPolicy; connectTimeoutMs: number; userAgent: string; lookup?: Lookup },
  ) {
    this.agent = new Agent({
      connect: guardedConnector({
        policy: options.policy,
        timeoutMs: options.connectTimeoutMs,
        ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
      }),
      keepAliveTimeout: 4_000,
    });
  }

  async fetch(url: string, limits: { maxBytes: number; timeoutMs: number }): Promise<FetchedMedia> {
    const signal = AbortSignal.timeout(limits.timeoutMs);
    try {
      const parsed = checkOutboundUrl(url, this.options.policy);
      const response = await request(parsed, {
        method: 'GET',
        headers: { 'user-agent': this.options.userAgent, accept: '*/*' },
        dispatcher: this.agent,
        signal,
        headersTimeout: limits.timeoutMs,
        bodyTimeout: limits.timeoutMs,
      });
      if (response.statusCode < 200 || response.statusCode > 299) {
        await response.body.dump().catch(() => undefined);
        const redirect = response.statusCode >= 300 && response.statusCode < 400;
        return {
          kind: 'failed',
          reason: redirect
            ? `answered ${response.statusCode} (a redirect; give the final URL)`
            : `answered HTTP ${response.statusCode}`,
        };
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        discard(response.body);
        return { kind: 'too_large' };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > limits.maxBytes) {
          discard(response.body);
          return { kind: 'too_large' };
        }
        chunks.push(chunk as Buffer);
      }
      const type = response.headers['content-type'];
      return {
        kind: 'ok',
        contentType: (Array.isArray(type) ? type[0] : type) ?? '',
        bytes: Buffer.concat(chunks, size),
        path: parsed.pathname,
      };
    } catch (error) {
      if (isBlocked(error)) return { kind: 'blocked', reason: (error as Error).message };
      if (signal.aborted || isTimeout(error))
        return { kind: 'failed', reason: `took longer than ${limits.timeoutMs} ms` };
      const e = error as { code?: string; message?: string } | null;
      return { kind: 'failed', reason: e?.code ?? e?.message ?? String(error) };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** Drops a body not read to its end; its destruction's AbortError has nowhere to go but here. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => undefined);
  body.destroy();
}

function isBlocked(error: unknown): boolean {
  return (
    error instanceof BlockedAddressError || (error as { code?: unknown } | null)?.code === 'ERR_TAPBACK_BLOCKED_ADDRESS'
  );
}

function isTimeout(error: unknown): boolean {
  const e = error as { name?: string; code?: string } | null;
  return e?.name === 'TimeoutError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT';
}
