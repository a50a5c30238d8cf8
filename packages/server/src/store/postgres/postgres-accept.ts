import type { Pool } from 'pg';
import type { Message } from '../../domain/message.js';
import { CALLBACK_STATUSES } from '../../domain/webhook.js';
import type { Settled } from '../../lib/batcher.js';
import { BatchAcceptState, decideAccept, looksBack } from '../accept-plan.js';
import type { AcceptInput, AcceptResult } from '../ports/messages-port.js';
import { acceptFast } from './single-statement-accept.js';
import { MESSAGE_INSERT_PARAMS, insertMessagesParams, insertMessagesSql } from './message-row.js';
import type { PostgresWebhookOutbox } from './postgres-webhook-outbox.js';
import { insertDeliveriesParams, insertDeliveriesSql } from './postgres-webhook-outbox.js';

/**
 * Group commit for `acceptOutbound` on PostgreSQL: a whole batch costs one commit, whatever its
 * size, and one round trip when every item is a QUEUED send that its contacts, keys and queue
 * limits let through (single-statement-accept.ts: the same reads as a guard inside the write). Any
 * other batch, or one whose guard fails, takes two round trips:
 *
 * 1. One read: prior idempotency keys, each account's QUEUED count (the message_counts counter),
 *    opted-out contacts and message ids drawn from the sequence, so the outcome of every item is
 *    decided in memory, in order, by the same rules as on SQLite (accept-plan.ts).
 * 2. One write: a single statement whose CTEs insert the messages, send jobs, idempotency keys
 *    and webhook deliveries through `unnest`. A single statement is atomic on its own, so no
 *    BEGIN/COMMIT round trips are needed; the job trigger NOTIFYs the workers at its commit.
 *
 * Between the two, another process may store the same idempotency key: the write then fails on
 * the primary key, nothing of the batch is stored, and each item is retried alone, when the
 * re-read finds the other process's key and replays it. The queue limit is exact within one
 * process and approximate (by at most one batch per process) across processes.
 */
export async function acceptBatch(
  pool: Pool,
  webhooks: PostgresWebhookOutbox,
  items: AcceptInput[],
): Promise<Settled<AcceptResult>[]> {
  try {
    return (await acceptAll(pool, webhooks, items)).map((value) => ({ ok: true, value }));
  } catch {
    const out: Settled<AcceptResult>[] = [];
    for (const item of items) {
      try {
        const [value] = await acceptAll(pool, webhooks, [item]);
        out.push(value === undefined ? { ok: false, error: new Error('no result') } : { ok: true, value });
      } catch (error) {
        out.push({ ok: false, error });
      }
    }
    return out;
  }
}

interface ReadResult {
  keys: { a: number; k: string; h: string; b: string; c: number }[];
  queued: { a: number; n: number }[];
  ids: string[];
  opted: { a: number; n: string }[];
}

const READ_SQL = `SELECT
  (SELECT coalesce(json_agg(json_build_object('a', k.account_id, 'k', k.key, 'h', k.request_hash, 'b', k.response_body, 'c', k.created_at)), '[]')
     FROM idempotency_keys k JOIN unnest($1::bigint[], $2::text[]) AS i(a, key) ON k.account_id = i.a AND k.key = i.key) AS keys,
  (SELECT coalesce(json_agg(json_build_object('a', q.a, 'n',
       (SELECT coalesce(max(c.n), 0) FROM message_counts c
         WHERE c.account_id = q.a AND c.dimension = 'status' AND c.value = 'QUEUED'))), '[]')
     FROM unnest($3::bigint[], $4::bigint[]) AS q(a, lim)) AS queued,
  (SELECT coalesce(array_agg(nextval(pg_get_serial_sequence('messages', 'id'))::text), '{}')
     FROM generate_series(1, $5::int)) AS ids,
  (SELECT coalesce(json_agg(json_build_object('a', c.account_id, 'n', c.number)), '[]')
     FROM contacts c JOIN unnest($6::bigint[], $7::text[]) AS o(a, n) ON c.account_id = o.a AND c.number = o.n
    WHERE c.opted_out) AS opted`;

const M = MESSAGE_INSERT_PARAMS + 1;
const WRITE_SQL = `WITH
  m AS (${insertMessagesSql(1)}),
  j AS (INSERT INTO jobs (kind, message_id, run_at)
          SELECT 'send', id, run_at FROM unnest($${M}::bigint[], $${M + 1}::bigint[]) AS t(id, run_at) RETURNING id),
  k AS (INSERT INTO idempotency_keys (account_id, key, request_hash, response_body, created_at)
          SELECT * FROM unnest($${M + 2}::bigint[], $${M + 3}::text[], $${M + 4}::text[], $${M + 5}::text[], $${M + 6}::bigint[])
          RETURNING key),
  r AS (INSERT INTO idempotency_keys (account_id, key, request_hash, response_body, created_at)
          SELECT * FROM unnest($${M + 7}::bigint[], $${M + 8}::text[], $${M + 9}::text[], $${M + 10}::text[], $${M + 11}::bigint[])
          ON CONFLICT (account_id, key) DO UPDATE SET request_hash = excluded.request_hash,
            response_body = excluded.response_body, created_at = excluded.created_at
          RETURNING key),
  w AS (${insertDeliveriesSql(M + 12)})
SELECT (SELECT count(*) FROM m) AS messages`;

async function acceptAll(pool: Pool, webhooks: PostgresWebhookOutbox, items: AcceptInput[]): Promise<AcceptResult[]> {
  return (await acceptFast(pool, items)) ?? (await readThenWrite(pool, webhooks, items));
}

async function readThenWrite(
  pool: Pool,
  webhooks: PostgresWebhookOutbox,
  items: AcceptInput[],
): Promise<AcceptResult[]> {
  // A first attempt's digest is only recorded, never looked up: it costs no read.
  const withKey = items.filter((i) => i.idempotency !== undefined && looksBack(i.idempotency));
  const checked = items.filter((i) => i.whenOptedOut !== undefined);
  const limits = new Map<number, number>();
  for (const i of items) {
    if (i.message.status !== 'QUEUED') continue;
    limits.set(i.message.accountId, Math.max(limits.get(i.message.accountId) ?? 0, i.queueLimit));
  }
  const read = (
    await pool.query<ReadResult>({
      name: 'tapback-accept-read',
      text: READ_SQL,
      values: [
        withKey.map((i) => i.message.accountId),
        withKey.map((i) => i.idempotency?.key),
        [...limits.keys()],
        [...limits.values()],
        items.length,
        checked.map((i) => i.message.accountId),
        checked.map((i) => i.message.number),
      ],
    })
  ).rows[0];
  if (read === undefined) throw new Error('accept read returned no row');

  // Opted-out contacts are read in the same statement as the rest: a send read before a STOP
  // commits is still accepted (by microseconds; the STOP is not yet visible), one read after it is not.
  const state = new BatchAcceptState({
    keys: read.keys.map((r) => ({ accountId: r.a, key: r.k, requestHash: r.h, responseBody: r.b, createdAt: r.c })),
    queued: read.queued.map((r) => ({ accountId: r.a, n: r.n })),
    optedOut: read.opted.map((r) => ({ accountId: r.a, number: r.n })),
  });
  const ids = read.ids.map(Number);
  const results: AcceptResult[] = [];
  const stored: { input: AcceptInput; message: Message; responseBody: string | undefined }[] = [];
  for (const input of items) {
    const decision = decideAccept(input, state);
    if (decision.kind !== 'store') {
      results.push(decision);
      continue;
    }
    const id = ids[stored.length];
    if (id === undefined) throw new Error('too few message ids drawn');
    const message: Message = { ...decision.message, id, statusSeq: 0 };
    stored.push({ input, message, responseBody: decision.responseBody });
    results.push({ kind: 'accepted', message });
  }
  if (stored.length === 0) return results;

  // Stored already final (e.g. DECLINED): its callbacks commit with it.
  const final = stored.map((s) => s.message).filter((m) => m.status !== 'QUEUED' && CALLBACK_STATUSES.has(m.status));
  const deliveries =
    final.length === 0
      ? []
      : await webhooks.statusChangeDeliveries(
          pool,
          final.map((message) => ({ message, at: message.createdAt })),
        );
  const jobs = stored.filter((s) => s.message.status === 'QUEUED').map((s) => s.message);
  const keyed = stored.filter((s) => s.input.idempotency !== undefined && s.input.idempotency.retryMatch === undefined);
  const digests = latestDigests(stored);
  await pool.query({
    name: 'tapback-accept-write',
    text: WRITE_SQL,
    values: [
      ...insertMessagesParams(stored.map((s) => s.message)),
      jobs.map((m) => m.id),
      jobs.map((m) => m.createdAt),
      keyed.map((s) => s.message.accountId),
      keyed.map((s) => s.input.idempotency?.key),
      keyed.map((s) => s.input.idempotency?.requestHash),
      keyed.map((s) => s.responseBody),
      keyed.map((s) => s.message.createdAt),
      digests.map((s) => s.message.accountId),
      digests.map((s) => s.input.idempotency?.key),
      digests.map((s) => s.input.idempotency?.requestHash),
      digests.map((s) => s.responseBody),
      digests.map((s) => s.message.createdAt),
      ...insertDeliveriesParams(deliveries),
    ],
  });
  return results;
}

/**
 * The request digests a batch stores, the last of each (account, key) only: identical first
 * attempts in one batch are all stored as messages, and one upsert may not touch a row twice.
 */
function latestDigests<T extends { input: AcceptInput; message: Message }>(stored: T[]): T[] {
  const latest = new Map<string, T>();
  for (const s of stored) {
    const key = s.input.idempotency;
    if (key?.retryMatch !== undefined) latest.set(`${s.message.accountId} ${key.key}`, s);
  }
  return [...latest.values()];
}
