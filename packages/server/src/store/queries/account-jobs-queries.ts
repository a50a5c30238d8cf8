import { type Plan, type QB, first, run } from './query-plan.js';

/** Passes over an account's jobs before its messages go; see `deleteAccountJobs`. */
const MAX_JOB_PASSES = 5;

/**
 * Deletes the account's jobs, queued or claimed by a worker (for a sandbox reset or an account's
 * deletion). A worker finishing a claim meanwhile may commit a follow-up job after a delete's
 * snapshot (PostgreSQL; SQLite has one writer), which would then hold its message: deletes repeat
 * until a fresh look finds none. A worker's outcome for a job removed here is dropped when it is
 * recorded (the claim no longer holds).
 */
export function* deleteAccountJobs(q: QB, accountId: number): Plan<number> {
  const ofAccount = q.selectFrom('messages').select('id').where('account_id', '=', accountId);
  let removed = 0;
  for (let pass = 0; pass < MAX_JOB_PASSES; pass++) {
    removed += yield* run(q.deleteFrom('jobs').where('message_id', 'in', ofAccount));
    const left = yield* first(q.selectFrom('jobs').select('id').where('message_id', 'in', ofAccount).limit(1));
    if (left === undefined) break;
  }
  return removed;
}
