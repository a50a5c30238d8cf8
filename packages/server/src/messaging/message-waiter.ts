import { errors } from '../domain/errors.js';
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
  /**
   * Only messages created after this: an ISO 8601 time, or the handle of one of the account's
   * messages (then also those created in the same millisecond after it). So a test passes the
   * handle of the message its last wait answered, and never gets that one, or an older one, again.
   */
  since?: string;
  timeoutMs: number;
}

/** `since` resolved: created after `at`, or at `at` and after the message `afterId`. */
interface After {
  at: number;
  afterId: number | undefined;
}

/** The newest messages a wait looks through on each check. */
const SCAN = 100;

/** A wait in progress: `stale` is set by a notification, so one arriving mid-check is not lost. */
interface PendingWait {
  stale: boolean;
  wake: (() => void) | undefined;
}

/**
 * Long-polling for a message, for users' tests ("wait until the echo arrives"). A wait lists the
 * account's newest matching messages once, then again only when told that messages of its account
 * were stored (`notify`: by this process as it stores them, or by the store's notifications of
 * other processes' commits), so an idle wait costs no queries. Only new messages are worth a
 * look: what a wait matches on (numbers, content) never changes once stored.
 *
 * At most `maxPerAccount` waits of one account are pending at once; more are refused with 429, so
 * that one account's waits cannot crowd out the queries of others. Waits use real time, also under
 * a manual clock: moving that clock is another request's job.
 */
export class MessageWaiter {
  private readonly pending = new Map<number, Set<PendingWait>>();

  constructor(
    private readonly store: MessagesPort,
    private readonly maxPerAccount: number,
  ) {}

  /** Messages of `accountIds` (of any account, when undefined) were stored: re-check their waits. */
  notify(accountIds?: readonly number[]): void {
    if (accountIds === undefined) {
      for (const waits of this.pending.values()) for (const w of waits) poke(w);
      return;
    }
    for (const id of accountIds) for (const w of this.pending.get(id) ?? []) poke(w);
  }

  /** The newest matching message, as soon as one exists; undefined after the timeout or an abort. */
  async waitFor(caller: Caller, criteria: WaitCriteria, signal?: AbortSignal): Promise<Message | undefined> {
    let waits = this.pending.get(caller.accountId);
    if (waits !== undefined && waits.size >= this.maxPerAccount) {
      throw errors.rateLimited(`${this.maxPerAccount} waits pending at once per account`, 1);
    }
    if (waits === undefined) this.pending.set(caller.accountId, (waits = new Set()));
    const after = criteria.since === undefined ? undefined : await this.resolveSince(caller, criteria.since);
    const wait: PendingWait = { stale: false, wake: undefined };
    waits.add(wait);
    // Wall time on purpose, not the server's clock: the timeout bounds how long an HTTP request
    // is held open, which a manual clock standing still must not stretch.
    const deadline = Date.now() + criteria.timeoutMs;
    try {
      for (;;) {
        wait.stale = false;
        const found = await this.check(caller, criteria, after);
        if (found !== undefined) return found;
        const left = deadline - Date.now();
        if (left <= 0 || signal?.aborted === true) return undefined;
        if (!wait.stale) await sleep(wait, left, signal);
      }
    } finally {
      waits.delete(wait);
      if (waits.size === 0) this.pending.delete(caller.accountId);
    }
  }

  /** Waits pending for `accountId` right now, for tests. */
  pendingFor(accountId: number): number {
    return this.pending.get(accountId)?.size ?? 0;
  }

  private async check(caller: Caller, c: WaitCriteria, after: After | undefined): Promise<Message | undefined> {
    const { messages } = await this.store.listMessages(caller.accountId, {
      limit: SCAN,
      offset: 0,
      orderBy: 'createdAt',
      orderDirection: 'desc',
      ...(c.to === undefined ? {} : { toNumber: c.to }),
      ...(c.from === undefined ? {} : { fromNumber: c.from }),
      ...(after === undefined ? {} : { createdAtGte: after.at }),
    });
    return messages.find(
      (m) =>
        (c.contains === undefined || m.content.includes(c.contains)) &&
        (after === undefined ||
          m.createdAt > after.at ||
          (after.afterId !== undefined && m.createdAt === after.at && m.id > after.afterId)),
    );
  }

  /** An ISO 8601 time, or the handle of one of the caller's messages; anything else is a 400 on `since`. */
  private async resolveSince(caller: Caller, since: string): Promise<After> {
    if (/^\d{4}-\d{2}-\d{2}T/.test(since)) {
      const at = Date.parse(since);
      if (Number.isNaN(at)) throw errors.validation('since', 'is not a valid ISO 8601 time');
      return { at, afterId: undefined };
    }
    const message = await this.store.getMessage(caller.accountId, since);
    if (message === undefined) {
      throw errors.validation('since', 'is neither an ISO 8601 time nor the handle of one of your messages');
    }
    return { at: message.createdAt, afterId: message.id };
  }
}

function poke(wait: PendingWait): void {
  wait.stale = true;
  wait.wake?.();
}

/** Until a notification, the timeout (`ms`) or an abort, whichever comes first. */
function sleep(wait: PendingWait, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      wait.wake = undefined;
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    wait.wake = done;
    signal?.addEventListener('abort', done, { once: true });
  });
}
