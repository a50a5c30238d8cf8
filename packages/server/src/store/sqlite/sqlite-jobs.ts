import type { ClaimedJob, Job, JobKind, JobOutcome, StatusChange } from '../../domain/job.js';
import type { Message } from '../../domain/message.js';
import { messageIdsToRead, networkIdsToRead, planFinish } from '../finish-plan.js';
import { MESSAGE_SELECT_COLUMNS } from '../message-select.js';
import type { JobsPort } from '../ports/jobs-port.js';
import { decodeScheduledStatus } from '../status-patch.js';
import type { GroupCommit } from './group-commit.js';
import type { InboxProjections } from './inbox-projections.js';
import type { MessageCountDeltas } from './message-count-deltas.js';
import { MESSAGE_SELECT, type MessageRow, UPDATE_STATUS_SQL, rowToMessage, statusParams } from './message-row.js';
import type { Stmt } from './prepared.js';
import { deleteEarlyReceipts, readEarlyReceipts, setProviderIds, writeSegments } from './sqlite-receipts.js';

/** A due job with its message (columns null if the message is gone) and its line's provider. */
type DueRow = { [K in keyof MessageRow]: MessageRow[K] | null } & {
  job_id: number;
  job_kind: string;
  job_message_id: number;
  job_attempts: number;
  job_last_error: string | null;
  job_payload: string | null;
  line_provider: string | null;
};

const DUE_SQL = `SELECT j.id AS job_id, j.kind AS job_kind, j.message_id AS job_message_id, j.attempts AS job_attempts,
    j.last_error AS job_last_error, j.payload AS job_payload,
    ${MESSAGE_SELECT_COLUMNS}, l.provider AS line_provider
   FROM jobs j LEFT JOIN messages m ON m.id = j.message_id LEFT JOIN accounts a ON a.id = m.account_id
   LEFT JOIN lines l ON l.number = m.sendblue_number
  WHERE j.run_at <= ? ORDER BY j.run_at, j.id LIMIT ?`;

/**
 * The job queue on SQLite. Claims and outcomes are writes, so they join the event-loop turn's
 * group-commit transaction (group-commit.ts) instead of paying a commit of their own; what they
 * decide comes from finish-plan.ts, as on PostgreSQL.
 */
export class SqliteJobs implements JobsPort {
  constructor(
    private readonly stmt: Stmt,
    private readonly commits: GroupCommit,
    private readonly counts: MessageCountDeltas,
    private readonly projections: InboxProjections,
    /** Inside the transaction: queues the webhook deliveries of a committed status change. */
    private readonly enqueueStatusChange: (message: Message, now: number) => void,
  ) {}

  claimJobs(input: { now: number; limit: number; leaseUntil: number; workerId: string }): Promise<ClaimedJob[]> {
    const due = this.stmt(DUE_SQL);
    const lease = this.stmt(
      `UPDATE jobs SET run_at = ?, attempts = attempts + 1, leased_by = ? WHERE id IN (SELECT value FROM json_each(?))`,
    );
    return this.commits.run(() => {
      const rows = due.all(input.now, input.limit) as DueRow[];
      if (rows.length === 0) return [];
      const orphans = rows.filter((r) => r.id === null).map((r) => r.job_id);
      if (orphans.length > 0) this.deleteJobs(orphans);
      const live = rows.filter((r) => r.id !== null);
      lease.run(input.leaseUntil, input.workerId, JSON.stringify(live.map((r) => r.job_id)));
      // In (run_at, id) order: the worker applies a message's status jobs in the order given.
      return live.map((r) => ({
        job: jobFromRow(r, input.leaseUntil),
        message: rowToMessage(r as MessageRow),
        provider: r.line_provider ?? '',
      }));
    });
  }

  finishJobs(outcomes: JobOutcome[], now: number): Promise<StatusChange[]> {
    const held = this.stmt('SELECT id, attempts FROM jobs WHERE id IN (SELECT value FROM json_each(?))');
    const load = this.stmt(`${MESSAGE_SELECT} WHERE m.id IN (SELECT value FROM json_each(?))`);
    const retry = this.stmt('UPDATE jobs SET run_at = ?, last_error = ?, leased_by = NULL WHERE id = ?');
    const schedule = this.stmt(`INSERT INTO jobs (kind, message_id, run_at, payload) VALUES ('status', ?, ?, ?)`);
    const update = this.stmt(UPDATE_STATUS_SQL);
    return this.commits.run(() => {
      // One query each for the jobs' claims and their messages, rather than one per outcome.
      const attempts = new Map(
        (held.all(JSON.stringify(outcomes.map((o) => o.jobId))) as { id: number; attempts: number }[]).map((r) => [
          r.id,
          r.attempts,
        ]),
      );
      const ids = messageIdsToRead(outcomes);
      const messages = new Map<number, Message>();
      if (ids.length > 0) {
        for (const row of load.all(JSON.stringify(ids)) as MessageRow[]) messages.set(row.id, rowToMessage(row));
      }
      // Receipts that overtook the send's outcome, applied with it (none to read without ids).
      const early = readEarlyReceipts(this.stmt, networkIdsToRead(outcomes, messages));
      const plan = planFinish(outcomes, attempts, messages, now, early);
      for (const r of plan.retries) retry.run(r.runAt, r.error, r.jobId);
      for (const { message: m, from } of plan.written) {
        update.run(...statusParams(m));
        this.counts.statusChanged(m.accountId, from, m.status);
        this.projections.statusChanged(m, from);
      }
      for (const change of plan.changes) this.enqueueStatusChange(change.message, now);
      // A message routing moved to SMS: the abandoned attempt's ids and scheduled receipts go.
      for (const a of plan.abandoned) {
        this.stmt('DELETE FROM network_segments WHERE message_id = ?').run(a.messageId);
        this.stmt(`DELETE FROM jobs WHERE message_id = ? AND kind = 'status' AND id <> ?`).run(a.messageId, a.jobId);
      }
      for (const s of plan.schedule) schedule.run(s.messageId, s.runAt, s.payload);
      writeSegments(this.stmt, plan.segments, now);
      setProviderIds(this.stmt, plan.providerIds);
      deleteEarlyReceipts(this.stmt, plan.claimedEarly);
      this.deleteJobs(plan.deleted);
      return plan.changes;
    });
  }

  async nextJobAt(): Promise<number | null> {
    return (this.stmt('SELECT min(run_at) AS t FROM jobs').get() as { t: number | null }).t;
  }

  async countJobs(): Promise<number> {
    return (this.stmt('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;
  }

  private deleteJobs(ids: readonly number[]): void {
    if (ids.length > 0)
      this.stmt('DELETE FROM jobs WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
  }
}

function jobFromRow(r: DueRow, leaseUntil: number): Job {
  return {
    id: r.job_id,
    kind: r.job_kind as JobKind,
    messageId: r.job_message_id,
    runAt: leaseUntil,
    attempts: r.job_attempts + 1,
    lastError: r.job_last_error,
    ...decodeScheduledStatus(r.job_payload),
  };
}
