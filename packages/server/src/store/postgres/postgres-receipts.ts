import type pg from 'pg';
import type { StatusPatch } from '../../domain/job.js';
import type { Message, MessageStatus } from '../../domain/message.js';
import { Batcher, type Settled } from '../../lib/batcher.js';
import type { ExpiredReceipt, ReceiptInput, ReceiptsApplied, ReceiptsPort } from '../ports/receipts-port.js';
import { type EarlyReceipt, type ReceiptPlan, type Segment, type TimedReceipt, planReceipts } from '../receipt-plan.js';
import { MESSAGE_SELECT, type MessageRow, UPDATE_STATUS_SQL, rowToMessage, statusParams } from './message-row.js';
import { type Db, inTransaction } from './postgres-connection.js';
import type { PostgresWebhookOutbox } from './postgres-webhook-outbox.js';

/**
 * The first key of the transaction-level advisory locks taken on network ids (the second is the
 * id's hash). Two-key locks never collide with the one-key locks of migrations and query plans.
 */
const NETWORK_ID_LOCK = 0x74627263;

const PAIRS = 'SELECT * FROM unnest($1::text[], $2::text[])';

type SegmentRow = {
  line: string;
  network_id: string;
  message_id: number;
  position: number;
  status: string;
  patch: string | null;
};
type EarlyRow = { id: number; line: string; network_id: string; patch: string; received_at: number };

const pairParams = (keys: readonly { line: string; networkMessageId: string }[]): unknown[] => [
  keys.map((k) => k.line),
  keys.map((k) => k.networkMessageId),
];

/**
 * Network receipts on PostgreSQL, with their webhook deliveries; what they write is decided by
 * receipt-plan.ts, as on SQLite. The calls of one event-loop turn share one transaction (group
 * commit), as receipts come one by one from each connection. A receipt and the `finishJobs`
 * recording its id serialise on an advisory lock on the id, so a receipt kept as early is always
 * seen by the outcome that records its id, and one arriving after that always finds the id recorded.
 */
export class PostgresReceipts implements ReceiptsPort {
  private readonly batches: Batcher<{ receipts: readonly ReceiptInput[]; now: number }, ReceiptsApplied>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly webhooks: PostgresWebhookOutbox,
  ) {
    this.batches = new Batcher((calls) => this.applyCalls(calls));
  }

  async applyNetworkReceipts(receipts: readonly ReceiptInput[], now: number): Promise<ReceiptsApplied> {
    if (receipts.length === 0) return { changes: [], results: [] };
    return this.batches.submit({ receipts, now });
  }

  /** One transaction for the calls of a turn; each call gets the results and changes of its receipts. */
  private async applyCalls(
    calls: readonly { receipts: readonly ReceiptInput[]; now: number }[],
  ): Promise<Settled<ReceiptsApplied>[]> {
    const timed = calls.flatMap((call) => call.receipts.map((r) => ({ ...r, at: call.now })));
    const plan = await this.apply(timed, Math.max(...calls.map((call) => call.now)));
    let at = 0;
    return calls.map((call) => {
      const end = at + call.receipts.length;
      const value = { changes: plan.byReceipt.slice(at, end).flat(), results: plan.results.slice(at, end) };
      at = end;
      return { ok: true, value };
    });
  }

  private apply(receipts: readonly TimedReceipt[], now: number): Promise<ReceiptPlan> {
    return inTransaction(this.pool, async (c) => {
      // Locks in the order finishJobs takes them (ids, then messages in id order): no deadlock.
      await lockNetworkIds(
        c,
        receipts.map((r) => r.networkMessageId),
      );
      const named = await c.query<{ message_id: number }>(
        `SELECT DISTINCT message_id FROM network_segments WHERE (line, network_id) IN (${PAIRS})`,
        pairParams(receipts),
      );
      const ids = named.rows.map((r) => r.message_id);
      const messages = new Map<number, Message>();
      let segments: Segment[] = [];
      if (ids.length > 0) {
        const rows = await c.query<MessageRow>(
          `${MESSAGE_SELECT} WHERE m.id = ANY($1::bigint[]) ORDER BY m.id FOR UPDATE OF m`,
          [ids],
        );
        for (const row of rows.rows) messages.set(row.id, rowToMessage(row));
        const read = await c.query<SegmentRow>(
          'SELECT line, network_id, message_id, position, status, patch FROM network_segments WHERE message_id = ANY($1::bigint[])',
          [ids],
        );
        segments = read.rows.map(segmentFromRow);
      }
      const plan = planReceipts(receipts, segments, messages);
      const written = plan.written.map((w) => w.message);
      if (written.length > 0) await c.query(UPDATE_STATUS_SQL, statusParams(written));
      if (plan.reads.length > 0) {
        await c.query(
          `UPDATE messages m SET read_at = t.r FROM unnest($1::bigint[], $2::bigint[]) AS t(id, r)
            WHERE m.id = t.id AND m.read_at IS NULL`,
          [plan.reads.map((r) => r.messageId), plan.reads.map((r) => r.readAt)],
        );
      }
      const deliveries = await this.webhooks.statusChangeDeliveries(
        c,
        plan.changes.map((ch) => ({ message: ch.message, at: now })),
      );
      await this.webhooks.insert(c, deliveries);
      await writeSegments(c, plan.segments, now);
      if (plan.early.length > 0) {
        await c.query(
          `INSERT INTO early_receipts (line, network_id, patch, received_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])`,
          [
            ...pairParams(plan.early),
            plan.early.map((e) => JSON.stringify(e.patch)),
            plan.early.map((e) => e.receivedAt),
          ],
        );
      }
      if (plan.routeJobs.length > 0) {
        await c.query(
          `INSERT INTO jobs (kind, message_id, run_at, payload)
             SELECT 'status', * FROM unnest($1::bigint[], $2::bigint[], $3::text[])`,
          [
            plan.routeJobs.map((j) => j.messageId),
            plan.routeJobs.map((j) => j.runAt),
            plan.routeJobs.map((j) => j.payload),
          ],
        );
      }
      return plan;
    });
  }

  /** Skips receipts a finishing outcome holds (it applies them): each is either applied or reported. */
  async expireEarlyReceipts(olderThan: number): Promise<ExpiredReceipt[]> {
    const r = await this.pool.query<Omit<EarlyRow, 'patch'>>(
      `DELETE FROM early_receipts WHERE id IN (
         SELECT id FROM early_receipts WHERE received_at < $1 ORDER BY id FOR UPDATE SKIP LOCKED)
       RETURNING id, line, network_id, received_at`,
      [olderThan],
    );
    return r.rows
      .sort((a, b) => a.id - b.id)
      .map((row) => ({ line: row.line, networkMessageId: row.network_id, receivedAt: row.received_at }));
  }
}

/**
 * Inside a transaction: serialises it with every other transaction that records or applies any
 * of these ids, until it ends. Taken in hash order, so two transactions never wait on each other.
 */
export async function lockNetworkIds(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `SELECT pg_advisory_xact_lock(${NETWORK_ID_LOCK}, h)
       FROM (SELECT DISTINCT hashtext(x) AS h FROM unnest($1::text[]) AS x ORDER BY h) AS ids`,
    [ids],
  );
}

/** Inside a transaction: the kept receipts for these ids, in the order they arrived, locked. */
export async function readEarlyReceipts(
  db: Db,
  keys: readonly { line: string; networkMessageId: string }[],
): Promise<EarlyReceipt[]> {
  if (keys.length === 0) return [];
  const r = await db.query<EarlyRow>(
    `SELECT id, line, network_id, patch, received_at FROM early_receipts
      WHERE (line, network_id) IN (${PAIRS}) ORDER BY id FOR UPDATE`,
    pairParams(keys),
  );
  return r.rows.map((row) => ({
    id: row.id,
    line: row.line,
    networkMessageId: row.network_id,
    patch: JSON.parse(row.patch) as StatusPatch,
    receivedAt: row.received_at,
  }));
}

/** Inside a transaction: each segment once (the plan's), new or in its new state. */
export async function writeSegments(db: Db, segments: readonly Segment[], now: number): Promise<void> {
  if (segments.length === 0) return;
  await db.query(
    `INSERT INTO network_segments (line, network_id, message_id, position, status, patch, updated_at)
       SELECT l, n, m, p, s, j, $7 FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::text[], $6::text[])
         AS t(l, n, m, p, s, j)
     ON CONFLICT (line, network_id) DO UPDATE SET message_id = excluded.message_id, position = excluded.position,
       status = excluded.status, patch = excluded.patch, updated_at = excluded.updated_at`,
    [
      ...pairParams(segments),
      segments.map((s) => s.messageId),
      segments.map((s) => s.position),
      segments.map((s) => s.status),
      segments.map((s) => (s.patch === null ? null : JSON.stringify(s.patch))),
      now,
    ],
  );
}

/**
 * Inside a transaction: each message's first network id as its `provider_message_id`. A line's
 * ids are unique among its messages, so an older message holding the same id (the network's ids
 * wrapped around) gives it up: the newest holder is the one its network means now.
 */
export async function setProviderIds(
  db: Db,
  ids: readonly { messageId: number; line: string; networkMessageId: string }[],
): Promise<void> {
  if (ids.length === 0) return;
  const params = [...pairParams(ids), ids.map((i) => i.messageId)];
  await db.query(
    `UPDATE messages m SET provider_message_id = NULL FROM unnest($1::text[], $2::text[], $3::bigint[]) AS t(l, n, id)
      WHERE m.sendblue_number = t.l AND m.provider_message_id = t.n AND m.id <> t.id`,
    params,
  );
  await db.query(
    `UPDATE messages m SET provider_message_id = t.n FROM unnest($1::text[], $2::text[], $3::bigint[]) AS t(l, n, id)
      WHERE m.id = t.id`,
    params,
  );
}

/** Inside a transaction. */
export async function deleteEarlyReceipts(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length > 0) await db.query('DELETE FROM early_receipts WHERE id = ANY($1::bigint[])', [ids]);
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
