/** How much work is waiting, for metrics: read on each scrape, so it must stay cheap. */
export interface QueueStatsPort {
  /** Delivery jobs by kind and state, and webhook deliveries still to send, as of `now`. */
  queueStats(now: number): Promise<QueueStats>;
}

/**
 * `due`: runnable now (an expired lease included: its worker is gone or late); `leased`: a worker
 * holds it; `scheduled`: waits for a later time (a sandbox receipt, a retry's backoff).
 */
export type JobState = 'due' | 'leased' | 'scheduled';

export interface QueueStats {
  /** Only the (kind, state) pairs that have jobs. */
  jobs: { kind: string; state: JobState; count: number }[];
  /** Webhook deliveries (status callbacks and account webhooks) not yet delivered or given up. */
  pendingWebhookDeliveries: number;
}
