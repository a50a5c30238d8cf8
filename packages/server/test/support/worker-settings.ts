import type { WorkerSettings } from '../../src/delivery/worker.js';

/** Worker settings for tests that drive the sandbox network on a manual clock: short, bounded retries. */
export const SANDBOX_WORKER_SETTINGS: WorkerSettings = {
  batchSize: 10,
  leaseMs: 30_000,
  maxAttempts: 3,
  retryBaseMs: 1000,
  retryMaxMs: 10_000,
  pollMs: 1000,
  providerTimeoutMs: 5000,
};
