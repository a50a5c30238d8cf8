import type { StatusChange, StatusPatch } from '../../domain/job.js';

/** What a network reports about messages a line sent, by the network's own ids for them. */
export interface ReceiptsPort {
  /**
   * Applies receipts in order, each idempotently and together with the status-callback deliveries
   * of the changes it causes, in one transaction. A message sent in segments (a long SMS) folds
   * its segments' states into one status: DELIVERED once every segment is, ERROR as soon as one
   * failed, SENT otherwise. A receipt for an id not recorded yet (`JobOutcome.networkMessageIds`)
   * is kept and applied, in the order receipts arrived, by the `finishJobs` that records the id.
   */
  applyNetworkReceipts(receipts: readonly ReceiptInput[], now: number): Promise<ReceiptsApplied>;
  /**
   * Drops the early receipts received before `olderThan` that no recorded id claimed, and returns
   * them, each once, in the order they arrived (the caller logs and counts them).
   */
  expireEarlyReceipts(olderThan: number): Promise<ExpiredReceipt[]>;
}

export interface ReceiptInput {
  /** The line (E.164) whose network issued the id: a network's ids are unique per line only. */
  line: string;
  networkMessageId: string;
  patch: StatusPatch;
  /**
   * An ERROR receipt saying the recipient is not on the service (not an iMessage user): handed to
   * routing (SMS fallback) instead of being applied.
   */
  notOnService?: boolean;
  /**
   * The recipient read the message at this time (epoch ms), as the network reports it: recorded as
   * the message's `dateRead` when it has none yet (the first read wins), never moving its status.
   * A first read is a change of its own at the same status, with its status callback. A read
   * whose id is not recorded yet is not kept: only its `patch` is.
   */
  readAt?: number;
}

/**
 * What became of one receipt: `applied` to its segment (the message changes when the fold of its
 * segments moves forward); a `duplicate` of the segment's state; `stale`, as it would move the
 * segment backwards or past a final state; or kept as `early`, its id not recorded yet.
 */
export type ReceiptResult = 'applied' | 'duplicate' | 'stale' | 'early';

export interface ReceiptsApplied {
  /** Every status change, in the order applied (each enqueued its webhook deliveries). */
  changes: StatusChange[];
  /** One per receipt, in the order given. */
  results: ReceiptResult[];
}

export interface ExpiredReceipt {
  line: string;
  networkMessageId: string;
  receivedAt: number;
}
