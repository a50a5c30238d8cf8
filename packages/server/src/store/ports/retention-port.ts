/**
 * Deleting what is past its retention (the pruner, store/queries/retention-queries.ts). Each method
 * deletes at most `limit` rows, oldest first, in one short transaction, and returns how many it
 * deleted: a caller repeats while a call deletes `limit`, yielding between calls so that sends are
 * never held up behind one long delete. Safe to call from several processes at once.
 */
export interface RetentionPort {
  /** Finished webhook deliveries (never pending ones) last updated before `before`, with their attempts. */
  pruneWebhookLog(before: number, limit: number): Promise<number>;
  /**
   * Request digests recorded before `digestsBefore` (no retry can match them any more) and, when
   * `keysBefore` is set, clients' `Idempotency-Key`s recorded before it.
   */
  pruneIdempotencyKeys(
    cutoffs: { digestsBefore: number; keysBefore: number | undefined },
    limit: number,
  ): Promise<number>;
  /**
   * Messages created before `before` in a final status with no job left and no pending webhook
   * delivery, with their receipts and finished deliveries; a QUEUED or SENT message is never deleted.
   */
  pruneMessages(before: number, limit: number): Promise<number>;
}
