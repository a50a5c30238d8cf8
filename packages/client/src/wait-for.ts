import { APIUserAbortError, TapbackError } from './errors.js';
import type { MessageResponse, MessageStatus } from './models.js';
import { sleep } from './sleep.js';

export interface WaitForOptions {
  /** The status to wait for. Default `DELIVERED`. */
  status?: MessageStatus;
  /** How long to wait in all before giving up, in milliseconds. Default 60 000. */
  timeoutMs?: number;
  /** Milliseconds between polls. Default 500. */
  intervalMs?: number;
  /** Stops waiting (with `APIUserAbortError`). */
  signal?: AbortSignal;
}

/** The message did not reach the awaited status within `timeoutMs`. */
export class WaitForTimeoutError extends TapbackError {
  override readonly name: string = 'WaitForTimeoutError';

  constructor(
    readonly handle: string,
    readonly expected: MessageStatus,
    readonly timeoutMs: number,
    /** The last state seen, if any poll answered. */
    readonly last: MessageResponse | undefined,
  ) {
    super(
      `Message ${handle} did not reach ${expected} within ${timeoutMs} ms` +
        (last?.status === undefined ? '' : `; it is ${last.status}`),
    );
  }
}

/** The message reached a final status other than the awaited one (e.g. ERROR while waiting for DELIVERED). */
export class FinalStatusError extends TapbackError {
  override readonly name: string = 'FinalStatusError';

  constructor(
    readonly handle: string,
    readonly expected: MessageStatus,
    /** The message in its final state. */
    readonly last: MessageResponse,
  ) {
    const why = [last.error_code, last.error_message].filter((x) => x !== null && x !== undefined).join(' ');
    super(`Message ${handle} ended ${last.status} while waiting for ${expected}${why === '' ? '' : ` (${why})`}`);
  }
}

/** Statuses a message never leaves (Tapback's status machine). */
const FINAL: ReadonlySet<string> = new Set(['DELIVERED', 'ERROR', 'DECLINED', 'RECEIVED']);
/** The success path; a message further along it has passed the earlier statuses. */
const PROGRESS: Partial<Record<string, number>> = { QUEUED: 0, SENT: 1, DELIVERED: 2 };

function reached(status: string, expected: MessageStatus): boolean {
  if (status === expected) return true;
  const at = PROGRESS[status];
  const wanted = PROGRESS[expected];
  return at !== undefined && wanted !== undefined && at >= wanted;
}

/**
 * Polls `getStatus` until the message reaches `options.status`, or a later status on the way to
 * DELIVERED (waiting for SENT accepts DELIVERED). Rejects with `FinalStatusError` when the
 * message ends in another final status, and `WaitForTimeoutError` after `timeoutMs`.
 */
export async function waitForStatus(
  getStatus: (handle: string, signal: AbortSignal) => PromiseLike<MessageResponse>,
  handle: string,
  options: WaitForOptions = {},
): Promise<MessageResponse> {
  const expected = options.status ?? 'DELIVERED';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 500;
  const controller = new AbortController();
  let timedOut = false;
  let last: MessageResponse | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal?.aborted) throw new APIUserAbortError({ cause: options.signal.reason });
    for (;;) {
      last = await getStatus(handle, controller.signal);
      const status = last.status ?? '';
      if (reached(status, expected)) return last;
      if (FINAL.has(status)) throw new FinalStatusError(handle, expected, last);
      await sleep(intervalMs, controller.signal);
    }
  } catch (error) {
    if (timedOut) throw new WaitForTimeoutError(handle, expected, timeoutMs, last);
    if (options.signal?.aborted && !(error instanceof APIUserAbortError)) throw new APIUserAbortError({ cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
