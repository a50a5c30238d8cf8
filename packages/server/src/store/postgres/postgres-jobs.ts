import type pg from 'pg';
import type { ClaimedJob, Job, JobKind, JobOutcome, StatusChange } from '../../domain/job.js';
import type { Message } from '../../domain/message.js';
import { messageIdsToRead, networkIdsOf, networkIdsToRead, planFinish } from '../finish-plan.js';
import { MESSAGE_SELECT_COLUMNS } from '../message-select.js';
import type { JobsPort } from '../ports/jobs-port.js';
import { decodeScheduledStatus } from '../status-patch.js';
import type { JobListener } from './job-listener.js';
import { MESSAGE_SELECT, type MessageRow, UPDATE_STATUS_SQL, rowToMessage, statusParams } from './message-row.js';
import { type Db, inTransaction } from './postgres-connection.js';
import {
  deleteEarlyReceipts,
  lockNetworkIds,
  readEarlyReceipts,
  setProviderIds,
  writeSegments,
} from './postgres-receipts.js';
import type { PostgresWebhookOutbox } from './postgres-webhook-outbox.js';

type ClaimRow = { [K in keyof MessageRow]: MessageRow[K] | null } & {
  job_id: number;
  job_kind: string;
  job_message_id: number;
  job_run_at: number;
  job_attempts: number;
  job_last_error: string | null;
  job_payload: string | null;
  line_provider: string | null;
};

/**
 * Leases due jobs for one worker and returns them with their messages, in one statement (one
 * round trip, autocommitted). FOR UPDATE SKIP LOCKED lets any number of workers in any number of
 * processes claim at once without waiting on, or ever sharing, each other's rows; the lease is
 * the pushed-back run_at, so a dead worker's jobs are due again when it expires. A job whose
 * message is gone comes back with null message columns, and is deleted.
 *
 * The lease finds its rows by `id = ANY (ARRAY(...))`, a primary-key lookup per claimed job
 * whatever the statistics say. As a join with `due` (`UPDATE … FROM due`), its plan hung on the
 * estimate of the LIMIT (10% of the due rows in the generic plan a prepared statement gets, 100
 * times the real page on a young queue): a hash join over a sequential scan of the whole jobs
 * table, fresh statistics or not, so each claim cost O(backlog) (p50 7.8–11.6 ms against 1.4–1.5
 * ms at 10k jobs, measured with EXPLAIN ANALYZE). The array's estimate is a constant 10 rows.
 */
export const CLAIM_SQL = `WITH due AS (
    SELECT id, run_at FROM jobs WHERE run_at <= $1 ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED),
  leased AS (
    UPDATE jobs j SET run_at = $3, attempts = j.attempts + 1, leased_by = $4 WHERE j.id = ANY (ARRAY(SELECT id FROM due))
    RETURNING j.id, j.kind, j.message_id, j.run_at, j.attempts, j.last_error, j.payload)
  SELECT c.id AS job_id, c.kind AS job_kind, c.message_id AS job_message_id, c.run_at AS job_run_at,
         c.attempts AS job_attempts, c.last_error AS job_last_error, c.payload AS job_payload,
         ${MESSAGE_SELECT_COLUMNS}, l.provider AS line_provider
    FROM leased c JOIN due d ON d.id = c.id LEFT JOIN messages m ON m.id = c.message_id
    LEFT JOIN accounts a ON a.id = m.account_id LEFT JOIN lines l ON l.number = m.sendblue_number
   ORDER BY d.run_at, d.id`;

/**
 * The job queue on PostgreSQL, shared by every process. What an outcome writes is decided by
 * finish-plan.ts, as on SQLite; idle workers wake through LISTEN/NOTIFY (job-listener.ts).
 */
export class PostgresJobs implements JobsPort {
  constructor(
    private readonly pool: pg.Pool,
    private readonly webhooks: PostgresWebhookOutbox,
    private readonly listener: JobListener,
  ) {}

  async claimJobs(input: { now: number; limit: number; leaseUntil: number; workerId: string }): Promise<ClaimedJob[]> {
    const r = await this.pool.query<ClaimRow>({
      name: 'tapback-claim-jobs',
      text: CLAIM_SQL,
      values: [input.now, input.limit, input.leaseUntil, input.workerId],
    });
    const orphans = r.rows.filter((row) => row.id === null).map((row) => row.job_id);
    if (orphans.length > 0) await this.pool.query('DELETE FROM jobs WHERE id = ANY($1::bigint[])', [orphans]);
    return r.rows
      .filter((row) => row.id !== null)
      .map((row) => ({
        job: jobFromRow(row),
        message: rowToMessage(row as MessageRow),
        provider: row.line_provider ?? '',
      }));
  }

  /**
   * One transaction for many outcomes. The jobs, then the messages, are locked (FOR UPDATE, in id
   * order, so two workers never deadlock) before the plan is made, so status jobs of one message
   * finished by different processes at once still apply one after the other, and a job finished
   * twice at once is recorded once. Network ids recorded with an outcome are recorded with the
   * receipts that overtook it (postgres-receipts.ts), in the same transaction.
   */
  async finishJobs(outcomes: JobOutcome[], now: number): Promise<StatusChange[]> {
    return inTransaction(this.pool, async (c) => {
      const held = await lockJobs(c, outcomes);
      // Network ids next, as applyNetworkReceipts takes them (before messages): a receipt for one
      // of them either committed as early before this (and is read below) or waits and finds it.
      await lockNetworkIds(c, networkIdsOf(outcomes));
      const ids = messageIdsToRead(outcomes);
      const messages = new Map<number, Message>();
      if (ids.length > 0) {
        const rows = await c.query<MessageRow>(
          `${MESSAGE_SELECT} WHERE m.id = ANY($1::bigint[]) ORDER BY m.id FOR UPDATE OF m`,
          [ids],
        );
        for (const row of rows.rows) messages.set(row.id, rowToMessage(row));
      }
      const early = await readEarlyReceipts(c, networkIdsToRead(outcomes, messages));
      const plan = planFinish(outcomes, held, messages, now, early);
      if (plan.retries.length > 0) {
        await c.query(
          `UPDATE jobs SET run_at = t.run_at, last_error = t.error, leased_by = NULL
             FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS t(id, run_at, error) WHERE jobs.id = t.id`,
          [plan.retries.map((r) => r.jobId), plan.retries.map((r) => r.runAt), plan.retries.map((r) => r.error)],
        );
      }
      const written = plan.written.map((w) => w.message);
      if (written.length > 0) {
        await c.query(UPDATE_STATUS_SQL, statusParams(written));
      }
      const deliveries = await this.webhooks.statusChangeDeliveries(
        c,
        plan.changes.map((ch) => ({ message: ch.message, at: now })),
      );
      await this.webhooks.insert(c, deliveries);
      // A message routing moved to SMS: the abandoned attempt's ids and scheduled receipts go.
      if (plan.abandoned.length > 0) {
        const messageIds = plan.abandoned.map((a) => a.messageId);
        await c.query('DELETE FROM network_segments WHERE message_id = ANY($1::bigint[])', [messageIds]);
        await c.query(
          `DELETE FROM jobs j USING unnest($1::bigint[], $2::bigint[]) AS t(message_id, job_id)
            WHERE j.message_id = t.message_id AND j.kind = 'status' AND j.id <> t.job_id`,
          [messageIds, plan.abandoned.map((a) => a.jobId)],
        );
      }
      if (plan.schedule.length > 0) {
        await c.query(
          `INSERT INTO jobs (kind, message_id, run_at, payload)
             SELECT 'status', * FROM unnest($1::bigint[], $2::bigint[], $3::text[])`,
          [
            plan.schedule.map((s) => s.messageId),
            plan.schedule.map((s) => s.runAt),
            plan.schedule.map((s) => s.payload),
          ],
        );
      }
      await writeSegments(c, plan.segments, now);
      await setProviderIds(c, plan.providerIds);
      await deleteEarlyReceipts(c, plan.claimedEarly);
      if (plan.deleted.length > 0) await c.query('DELETE FROM jobs WHERE id = ANY($1::bigint[])', [plan.deleted]);
      return plan.changes;
    });
  }

  async nextJobAt(): Promise<number | null> {
    const r = await this.pool.query<{ t: number | null }>('SELECT min(run_at) AS t FROM jobs');
    return r.rows[0]?.t ?? null;
  }

  async countJobs(): Promise<number> {
    const r = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM jobs');
    return Number(r.rows[0]?.n ?? 0);
  }

  /** Calls `listener` whenever any process commits new jobs; returns the unsubscribe function. */
  onJobsAvailable(listener: () => void): () => void {
    return this.listener.subscribe(listener);
  }
}

/**
 * Each outcome's job and its claims so far. The jobs are locked first, in id order, so a
 * concurrent claim skips them and a concurrent finish of the same job waits, then finds it gone.
 */
async function lockJobs(db: Db, outcomes: readonly JobOutcome[]): Promise<Map<number, number>> {
  const checked = outcomes.filter((o) => o.attempt !== undefined);
  if (checked.length === 0) return new Map();
  const r = await db.query<{ id: number; attempts: number }>(
    'SELECT id, attempts FROM jobs WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE',
    [[...new Set(checked.map((o) => o.jobId))]],
  );
  return new Map(r.rows.map((row) => [row.id, row.attempts]));
}

function jobFromRow(r: ClaimRow): Job {
  return {
    id: r.job_id,
    kind: r.job_kind as JobKind,
    messageId: r.job_message_id,
    runAt: r.job_run_at,
    attempts: r.job_attempts,
    lastError: r.job_last_error,
    ...decodeScheduledStatus(r.job_payload),
  };
}
