import type { ClaimedJob, JobOutcome, StatusChange } from '../../domain/job.js';

/** The durable delivery job queue. */
export interface JobsPort {
  /**
   * Claims up to `limit` jobs due at `now`. A claimed job's `runAt` moves to `leaseUntil`, so a
   * job whose worker died simply becomes due again when its lease expires. A job whose message
   * no longer exists is removed, never returned.
   */
  claimJobs(input: { now: number; limit: number; leaseUntil: number; workerId: string }): Promise<ClaimedJob[]>;
  /**
   * Records job outcomes (status changes, follow-up jobs, retries) in one transaction. An
   * outcome whose message no longer exists only removes its job.
   */
  finishJobs(outcomes: JobOutcome[], now: number): Promise<StatusChange[]>;
  /** The earliest `runAt` of any job, leased or not; null when the queue is empty. */
  nextJobAt(): Promise<number | null>;
  countJobs(): Promise<number>;
  /**
   * Backends shared by several processes (`capabilities.multiProcess`) call `listener` whenever
   * any process commits new jobs, so idle workers wake at once instead of at their next poll.
   * Returns the unsubscribe function. Single-process backends leave it out.
   */
  onJobsAvailable?(listener: () => void): () => void;
}
