import type { Message } from '../domain/message.js';
import type { MessagesPort } from '../store/ports/messages-port.js';
import type { Caller } from './caller.js';

/** What GET /sandbox/wait waits for: every given criterion must match. */
export interface WaitCriteria {
  /** Exact `to_number` (a line for inbound messages, a contact for outbound ones). */
  to?: string;
  /** Exact `from_number`. */
  from?: string;
  /** A substring of `content`. */
  contains?: string;
  timeoutMs: number;
}

/** The newest messages a wait looks through on each check. */
const SCAN = 100;

/**
 * Long-polling for a message, for users' tests ("wait until the echo arrives"). A check lists the
 * account's newest matching messages; checks run whenever this process stores or changes a
 * message (`notify`), and every `pollMs` to catch other processes' writes. Waits use real time,
 * also under a manual clock: moving that clock is another request's job.
 */
export class MessageWaiter {
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly store: MessagesPort,
    private readonly pollMs = 100,
  ) {}

  /** Something was stored or changed: re-check every pending wait now. */
  notify(): void {
    for (const wake of this.wakers) wake();
  }

  /** The newest matching message, as soon as one exists; undefined after the timeout or an abort. */
  async waitFor(caller: Caller, criteria: WaitCriteria, signal?: AbortSignal): Promise<Message | undefined> {
    // Wall time on purpose, not the server's clock: the timeout bounds how long an HTTP request
    // is held open, which a manual clock standing still must not stretch.
    const deadline = Date.now() + criteria.timeoutMs;
    for (;;) {
      const found = await this.check(caller, criteria);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted === true) return undefined;
      await this.sleep(Math.min(left, this.pollMs), signal);
    }
  }

  private async check(caller: Caller, c: WaitCriteria): Promise<Message | undefined> {
    const { messages } = await this.store.listMessages(caller.accountId, {
      limit: SCAN,
      offset: 0,
      orderBy: 'createdAt',
      orderDirection: 'desc',
      ...(c.to === undefined ? {} : { toNumber: c.to }),
      ...(c.from === undefined ? {} : { fromNumber: c.from }),
    });
    return messages.find((m) => c.contains === undefined || m.content.includes(c.contains));
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
