import type { Message, MessageStatus, Service } from './message.js';

/** A change to a message's status and the fields that travel with it. */
export interface StatusPatch {
  status: MessageStatus;
  service?: Service;
  wasDowngraded?: boolean | null;
  errorCode?: number | null;
  errorMessage?: string | null;
  errorReason?: string | null;
  errorDetail?: string | null;
}

export interface StatusChange {
  previous: MessageStatus;
  message: Message;
  /** The first read of the message was recorded (`dateRead`), its status unchanged: no status transition. */
  read?: true;
}

export type JobKind = 'send' | 'status';

export interface Job {
  id: number;
  kind: JobKind;
  messageId: number;
  runAt: number;
  /** Claims so far, including the current one. */
  attempts: number;
  lastError: string | null;
  /** For `status` jobs: the patch to apply when due. */
  patch: StatusPatch | null;
  /** For `status` jobs: the changes that follow this one, scheduled only once it is applied. */
  then: FollowUp[];
  /** For `status` jobs: the inbound message its provider scheduled, received when due. */
  reply: ScheduledInbound | null;
  /** For `status` jobs: a routing step (SMS fallback) to run when due; null for a plain status job. */
  route?: RouteStep | null;
}

/**
 * A routing step kept as a durable `status` job (delivery/router.ts):
 * - `window`: the line's fallback window ended; unless the message was delivered (or failed, or
 *   already went by SMS) meanwhile, the iMessage attempt counts as failed and the message goes by SMS.
 *   `networkMessageIds` are the iMessage attempt's ids, for the provider's `check`.
 * - `resend`: send the downgraded message over its SMS route (retried with backoff like a send).
 * - `not_on_service`: the network reported, after accepting it, that the recipient is not on the
 *   service (an iMessage ERROR receipt flagged `notOnService`): the message goes by SMS when it has
 *   an SMS route, else `patch` (that ERROR) is applied.
 */
export type RouteStep =
  { step: 'window'; networkMessageIds: string[] } | { step: 'resend' } | { step: 'not_on_service'; patch: StatusPatch };

/**
 * A status change due `afterMs` after the one before it, or an inbound message the provider
 * scheduled for then (the recipient writing back): a link of the chain that carries `reply` and no
 * `patch`.
 */
export interface FollowUp {
  afterMs: number;
  patch: StatusPatch | null;
  reply?: ScheduledInbound;
}

/**
 * An inbound message a provider scheduled (a provider that knows its own timing, like the sandbox
 * and its echo contact), received through the same path as a network's. Its `handle` is chosen when
 * it is scheduled and serves as the network's id for it, so running its job twice stores it once.
 */
export interface ScheduledInbound {
  handle: string;
  content: string;
}

export interface ClaimedJob {
  job: Job;
  message: Message;
  /** The provider of the message's line, e.g. `sandbox`. */
  provider: string;
}

/** A follow-up status job to store, due at `runAt`. */
export interface ScheduledStatus {
  runAt: number;
  patch: StatusPatch | null;
  then: FollowUp[];
  reply?: ScheduledInbound;
  route?: RouteStep;
}

/**
 * What became of a claimed job. `attempt` names the claim it answers (the job's `attempts` when
 * claimed); when given, the outcome is recorded only while that claim still holds the job. A
 * worker whose lease expired before its outcome was recorded may see the job claimed again (by
 * itself or another process) and run twice: only one run's outcome is recorded, so its follow-ups
 * (and the contact replies they carry) are scheduled once.
 */
export type JobOutcome =
  | {
      kind: 'done';
      jobId: number;
      attempt?: number;
      messageId: number;
      /** Applied now, in order; patches that would move status backwards are skipped. */
      patches: StatusPatch[];
      /**
       * Follow-up status changes, each a durable job due at `runAt`. A chain (SENT, then
       * DELIVERED) is one job carrying the rest in `then`, so a later change can never become due
       * before an earlier one is applied, even when the earlier one's worker dies holding it.
       */
      schedule: ScheduledStatus[];
      /**
       * The network's ids for the message (one, or one per segment of a long SMS), recorded with
       * the outcome: receipts name them later, and any that arrived before this are applied now.
       */
      networkMessageIds?: readonly string[];
      /**
       * The line whose network carried the message and gave `networkMessageIds` (its receipts name
       * them under that line): the SMS fallback line when routing chose it; the message's own line
       * when absent.
       */
      networkLine?: string;
      /**
       * Routing moved the message to SMS: recorded first, as a change of its own (same status,
       * `service: "SMS"`, `was_downgraded: true`), and the message's earlier network ids and pending
       * status jobs are dropped, so the abandoned iMessage attempt can no longer move it. When the
       * message is final or already downgraded by then, nothing of this outcome is recorded.
       */
      downgrade?: true;
    }
  | { kind: 'retry'; jobId: number; attempt?: number; runAt: number; error: string };
