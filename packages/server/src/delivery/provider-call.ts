import type { Clock } from '../domain/clock.js';
import { DELIVERY_ERRORS } from '../domain/delivery-errors.js';
import type { MediaFetcher } from '../domain/media.js';
import type { SendResult } from './providers/provider.js';

/**
 * The parts of one delivery attempt around the provider call: the media check a real network's
 * message passes first, the deadline every call runs under, and the check that a provider kept its
 * contract.
 */

const SEND_FAILED = DELIVERY_ERRORS.sendFailed;

/** The fetcher and limits of the media check. */
export interface WorkerMedia {
  fetcher: MediaFetcher;
  limits: { maxBytes: number; timeoutMs: number };
}

/**
 * A real network's message with a `media_url` goes out only once the URL can be fetched (through
 * the SSRF guard, within the size limit): a bad URL fails the message with a clear reason instead
 * of reaching the recipient broken. A source that fails now is tried again with the send; one that
 * is refused or too large ends the message. Sandbox lines only validate URLs, never fetch them
 * (test machines are often offline).
 */
export async function mediaCheck(media: WorkerMedia, url: string): Promise<SendResult | undefined> {
  const fetched = await media.fetcher.fetch(url, media.limits);
  if (fetched.kind === 'ok') return undefined;
  const reason =
    fetched.kind === 'too_large'
      ? `media_url is larger than ${media.limits.maxBytes} bytes`
      : `media_url could not be fetched: ${fetched.reason}`;
  return {
    kind: 'failed',
    retryable: fetched.kind === 'failed',
    errorCode: SEND_FAILED,
    errorMessage: 'Message failed to send',
    errorReason: reason,
  };
}

export interface ProviderDeadline {
  /** Aborted when the deadline passes. */
  signal: AbortSignal;
  /** Resolves with a transient failure when the deadline passes; never, if cancelled first. */
  expired: Promise<SendResult>;
  /** Clears the timer once every call it covers has settled. */
  cancel: () => void;
}

export function providerDeadline(clock: Clock, ms: number): ProviderDeadline {
  const controller = new AbortController();
  const cancelled = new AbortController();
  const expired = new Promise<SendResult>((resolve) => {
    void clock.sleep(ms, cancelled.signal).then(() => {
      if (cancelled.signal.aborted) return;
      const errorMessage = `provider call timed out after ${ms} ms`;
      controller.abort(new Error(errorMessage));
      resolve({ kind: 'failed', retryable: true, errorCode: SEND_FAILED, errorMessage });
    });
  });
  return { signal: controller.signal, expired, cancel: () => cancelled.abort() };
}

export function isProviderResult(value: unknown): value is SendResult {
  const r = value as Partial<Record<string, unknown>> | null | undefined;
  const listOrAbsent = (v: unknown): boolean => v === undefined || Array.isArray(v);
  if (r?.kind === 'accepted')
    return listOrAbsent(r.patches) && listOrAbsent(r.scheduled) && listOrAbsent(r.networkMessageIds);
  return r?.kind === 'failed' && typeof r.retryable === 'boolean';
}
