import type { NewMessage } from '../domain/message.js';
import type { AcceptIdempotency, AcceptInput, AcceptResult } from './ports/messages-port.js';

/**
 * What a backend knows, inside its accepting transaction, that the accept rules depend on. SQLite
 * answers from the database as it stands mid-transaction; PostgreSQL from one read made before
 * its single write. Either way `accepted` tells it what an earlier item of the same batch stored.
 */
export interface AcceptState {
  /** The response stored under an idempotency key, by this batch or before it. */
  priorResponse(accountId: number, key: string): PriorResponse | undefined;
  /** The account's QUEUED messages, counting those this batch has accepted so far. */
  queuedCount(accountId: number): number;
  isOptedOut(accountId: number, number: string): boolean;
  /** Called for every item decided `store`, before the next item is decided. */
  accepted(decision: StoreDecision, input: AcceptInput): void;
}

export interface PriorResponse {
  requestHash: string;
  responseBody: string;
  /** When it was stored (epoch ms): a request digest's match is bounded in time. */
  createdAt: number;
}

/** An item to store: the message as decided (maybe the DECLINED copy) and the body its key keeps. */
export interface StoreDecision {
  kind: 'store';
  message: NewMessage;
  /** Stored under the idempotency key, when the input has one. */
  responseBody: string | undefined;
  /** Whether the message waits for delivery (a send job) or is stored final (its callbacks only). */
  queued: boolean;
}

export type AcceptDecision = StoreDecision | Exclude<AcceptResult, { kind: 'accepted' }>;

/**
 * The accept rules, in order, for one item: an opted-out contact gets the DECLINED copy (decided
 * inside the transaction, so a send can never slip past a STOP committed before it); a known
 * idempotency key replays its first response (a request digest only on a retry, within its
 * window); a QUEUED message past the account's queue limit is refused before anything is stored.
 * Both backends decide every item here.
 */
export function decideAccept(input: AcceptInput, state: AcceptState): AcceptDecision {
  const original = input.message;
  const declined =
    input.whenOptedOut !== undefined && state.isOptedOut(original.accountId, original.number)
      ? input.whenOptedOut
      : undefined;
  const message = declined?.message ?? original;
  if (input.idempotency !== undefined && looksBack(input.idempotency)) {
    const prior = state.priorResponse(message.accountId, input.idempotency.key);
    const since = input.idempotency.retryMatch?.since;
    if (prior !== undefined && (since === undefined || prior.createdAt >= since))
      return { kind: 'replay', requestHash: prior.requestHash, responseBody: prior.responseBody };
  }
  const queued = message.status === 'QUEUED';
  if (queued && state.queuedCount(message.accountId) >= input.queueLimit) return { kind: 'queue_full' };
  const decision: StoreDecision = {
    kind: 'store',
    message,
    responseBody: declined?.responseBody ?? input.idempotency?.responseBody,
    queued,
  };
  state.accepted(decision, input);
  return decision;
}

/**
 * Whether an item may replay a stored response: a client's key always, a request digest only on a
 * retry (a first attempt records its digest and is stored, even if an identical request was).
 */
export function looksBack(idempotency: AcceptIdempotency): boolean {
  return idempotency.retryMatch === undefined || idempotency.retryMatch.since !== undefined;
}

/**
 * An `AcceptState` over facts read up front (PostgreSQL's one read per batch), which remembers what
 * the batch itself accepts so later items see it.
 */
export class BatchAcceptState implements AcceptState {
  private readonly prior: Map<string, PriorResponse>;
  private readonly queued: Map<number, number>;
  private readonly opted: Set<string>;

  constructor(read: {
    keys: readonly ({ accountId: number; key: string } & PriorResponse)[];
    queued: readonly { accountId: number; n: number }[];
    optedOut: readonly { accountId: number; number: string }[];
  }) {
    this.prior = new Map(read.keys.map((k) => [`${k.accountId} ${k.key}`, k]));
    this.queued = new Map(read.queued.map((q) => [q.accountId, q.n]));
    this.opted = new Set(read.optedOut.map((o) => `${o.accountId} ${o.number}`));
  }

  priorResponse(accountId: number, key: string): PriorResponse | undefined {
    return this.prior.get(`${accountId} ${key}`);
  }

  queuedCount(accountId: number): number {
    return this.queued.get(accountId) ?? 0;
  }

  isOptedOut(accountId: number, number: string): boolean {
    return this.opted.has(`${accountId} ${number}`);
  }

  accepted(decision: StoreDecision, input: AcceptInput): void {
    const accountId = decision.message.accountId;
    if (decision.queued) this.queued.set(accountId, this.queuedCount(accountId) + 1);
    if (input.idempotency !== undefined && decision.responseBody !== undefined) {
      this.prior.set(`${accountId} ${input.idempotency.key}`, {
        requestHash: input.idempotency.requestHash,
        responseBody: decision.responseBody,
        createdAt: decision.message.createdAt,
      });
    }
  }
}
