import type { StatusPatch } from '../../domain/job.js';
import type { Message, MessageStatus } from '../../domain/message.js';
import type { ExpiredReceipt, ReceiptInput, ReceiptsApplied, ReceiptsPort } from '../ports/receipts-port.js';
import { type EarlyReceipt, type ReceiptPlan, type Segment, planReceipts } from '../receipt-plan.js';
import type { GroupCommit } from './group-commit.js';
import type { InboxProjections } from './inbox-projections.js';
import type { MessageCountDeltas } from './message-count-deltas.js';
import { MESSAGE_SELECT, type MessageRow, UPDATE_STATUS_SQL, rowToMessage, statusParams } from './message-row.js';
import type { Stmt } from './prepared.js';

/** (line, network id) pairs given as one JSON array of pairs. */
const PAIRS = `SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`;

const SEGMENTS_OF_SQL = `SELECT line, network_id, message_id, position, status, patch FROM network_segments
  WHERE message_id IN (SELECT message_id FROM network_segments WHERE (line, network_id) IN (${PAIRS}))`;

const EARLY_FOR_SQL = `SELECT id, line, network_id, patch, received_at FROM early_receipts
  WHERE (line, network_id) IN (${PAIRS}) ORDER BY id`;

const UPSERT_SEGMENT_SQL = `INSERT INTO network_segments (line, network_id, message_id, position, status, patch, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (line, network_id) DO UPDATE SET message_id = excluded.message_id, position = excluded.position,
    status = excluded.status, patch = excluded.patch, updated_at = excluded.updated_at`;

type SegmentRow = {
  line: string;
  network_id: string;
  message_id: number;
  position: number;
  status: string;
  patch: string | null;
};
type EarlyRow = { id: number; line: string; network_id: string; patch: string; received_at: number };

const pairs = (keys: readonly { line: string; networkMessageId: string }[]): string =>
  JSON.stringify(keys.map((k) => [k.line, k.networkMessageId]));

/**
 * Network receipts on SQLite. They join the event-loop turn's group-commit transaction, as job
 * outcomes do, so a burst of receipts costs one commit; what they write is decided by
 * receipt-plan.ts, as on PostgreSQL. The functions below are also what `finishJobs` uses to record
 * a send's network ids and apply the receipts that arrived before it.
 */
export class SqliteReceipts implements ReceiptsPort {
  constructor(
    private readonly stmt: Stmt,
    private readonly commits: GroupCommit,
    private readonly counts: MessageCountDeltas,
    private readonly projections: InboxProjections,
    /** Inside the transaction: queues the webhook deliveries of a committed status change. */
    private readonly enqueueStatusChange: (message: Message, now: number) => void,
  ) {}

  applyNetworkReceipts(receipts: readonly ReceiptInput[], now: number): Promise<ReceiptsApplied> {
    if (receipts.length === 0) return Promise.resolve({ changes: [], results: [] });
    return this.commits.run(() => {
      const segments = (this.stmt(SEGMENTS_OF_SQL).all(pairs(receipts)) as SegmentRow[]).map(segmentFromRow);
      const ids = [...new Set(segments.map((s) => s.messageId))];
      const messages = new Map<number, Message>();
      if (ids.length > 0) {
        const load = this.stmt(`${MESSAGE_SELECT} WHERE m.id IN (SELECT value FROM json_each(?))`);
        for (const row of load.all(JSON.stringify(ids)) as MessageRow[]) messages.set(row.id, rowToMessage(row));
      }
      const plan = planReceipts(
        receipts.map((r) => ({ ...r, at: now })),
        segments,
        messages,
      );
      this.write(plan, now);
      return { changes: plan.changes, results: plan.results };
    });
  }

  expireEarlyReceipts(olderThan: number): Promise<ExpiredReceipt[]> {
    const due = this.stmt(
      'SELECT id, line, network_id, received_at FROM early_receipts WHERE received_at < ? ORDER BY id',
    );
    return this.commits.run(() => {
      const rows = due.all(olderThan) as Omit<EarlyRow, 'patch'>[];
      deleteEarlyReceipts(
        this.stmt,
        rows.map((r) => r.id),
      );
      return rows.map((r) => ({ line: r.line, networkMessageId: r.network_id, receivedAt: r.received_at }));
    });
  }

  /** Inside the transaction. */
  private write(plan: ReceiptPlan, now: number): void {
    const update = this.stmt(UPDATE_STATUS_SQL);
    for (const { message: m, from } of plan.written) {
      update.run(...statusParams(m));
      this.counts.statusChanged(m.accountId, from, m.status);
      this.projections.statusChanged(m, from);
    }
    if (plan.reads.length > 0) {
      const read = this.stmt('UPDATE messages SET read_at = ? WHERE id = ? AND read_at IS NULL');
      for (const r of plan.reads) read.run(r.readAt, r.messageId);
    }
    for (const change of plan.changes) this.enqueueStatusChange(change.message, now);
    writeSegments(this.stmt, plan.segments, now);
    const keep = this.stmt('INSERT INTO early_receipts (line, network_id, patch, received_at) VALUES (?, ?, ?, ?)');
    for (const e of plan.early) keep.run(e.line, e.networkMessageId, JSON.stringify(e.patch), e.receivedAt);
    if (plan.routeJobs.length > 0) {
      const job = this.stmt(`INSERT INTO jobs (kind, message_id, run_at, payload) VALUES ('status', ?, ?, ?)`);
      for (const j of plan.routeJobs) job.run(j.messageId, j.runAt, j.payload);
    }
  }
}

/** Inside a transaction: the kept receipts for these ids, in the order they arrived. */
export function readEarlyReceipts(
  stmt: Stmt,
  keys: readonly { line: string; networkMessageId: string }[],
): EarlyReceipt[] {
  if (keys.length === 0) return [];
  return (stmt(EARLY_FOR_SQL).all(pairs(keys)) as EarlyRow[]).map((r) => ({
    id: r.id,
    line: r.line,
    networkMessageId: r.network_id,
    patch: JSON.parse(r.patch) as StatusPatch,
    receivedAt: r.received_at,
  }));
}

/** Inside a transaction. */
export function writeSegments(stmt: Stmt, segments: readonly Segment[], now: number): void {
  if (segments.length === 0) return;
  const upsert = stmt(UPSERT_SEGMENT_SQL);
  for (const s of segments) {
    upsert.run(
      s.line,
      s.networkMessageId,
      s.messageId,
      s.position,
      s.status,
      s.patch === null ? null : JSON.stringify(s.patch),
      now,
    );
  }
}

/**
 * Inside a transaction: each message's first network id as its `provider_message_id`. A line's
 * ids are unique among its messages, so an older message holding the same id (the network's ids
 * wrapped around) gives it up: the newest holder is the one its network means now.
 */
export function setProviderIds(
  stmt: Stmt,
  ids: readonly { messageId: number; line: string; networkMessageId: string }[],
): void {
  if (ids.length === 0) return;
  const release = stmt(
    'UPDATE messages SET provider_message_id = NULL WHERE sendblue_number = ? AND provider_message_id = ? AND id <> ?',
  );
  const set = stmt('UPDATE messages SET provider_message_id = ? WHERE id = ?');
  for (const i of ids) {
    release.run(i.line, i.networkMessageId, i.messageId);
    set.run(i.networkMessageId, i.messageId);
  }
}

/** Inside a transaction. */
export function deleteEarlyReceipts(stmt: Stmt, ids: readonly number[]): void {
  if (ids.length > 0) {
    stmt('DELETE FROM early_receipts WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
  }
}

function segmentFromRow(r: SegmentRow): Segment {
  return {
    line: r.line,
    networkMessageId: r.network_id,
    messageId: r.message_id,
    position: r.position,
    status: r.status as MessageStatus,
    patch: r.patch === null ? null : (JSON.parse(r.patch) as StatusPatch),
  };
}
