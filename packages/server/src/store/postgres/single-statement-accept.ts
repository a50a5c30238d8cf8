import type { Pool } from 'pg';
import type { Message } from '../../domain/message.js';
import { BatchAcceptState, decideAccept, looksBack } from '../accept-plan.js';
import type { AcceptInput, AcceptResult } from '../ports/messages-port.js';
import { MESSAGE_INSERT_PARAMS, insertDrawnMessagesSql, insertMessagesParams } from './message-row.js';

/** Where the guard's parameters start; the messages' arrays come first. */
const G = MESSAGE_INSERT_PARAMS + 1;
const OK = '(SELECT ok FROM g)';

/**
 * The common batch in one round trip: every item is stored as a QUEUED send, provided that none
 * of its contacts has opted out, none of its looked-back idempotency keys is stored, and every
 * account's QUEUED count is below the threshold the batch can take. The guard `g` reads exactly
 * what the two-step path (postgres-accept.ts) reads, in the statement's own snapshot; when it
 * fails, nothing is inserted (and the ids drawn are skipped), and the caller takes the two-step path.
 * Message ids are drawn in item order, and the send jobs are inserted in message-id order, so a
 * batch's jobs keep its order as before. One statement is atomic, and autocommitted: the answer
 * goes out after its COMMIT.
 */
const FAST_SQL = `WITH
  g AS MATERIALIZED (SELECT
      NOT EXISTS (SELECT 1 FROM contacts c JOIN unnest($${G}::bigint[], $${G + 1}::text[]) AS o(a, n)
                    ON c.account_id = o.a AND c.number = o.n WHERE c.opted_out)
      AND NOT EXISTS (SELECT 1 FROM idempotency_keys k JOIN unnest($${G + 2}::bigint[], $${G + 3}::text[]) AS i(a, key)
                    ON k.account_id = i.a AND k.key = i.key)
      AND NOT EXISTS (SELECT 1 FROM unnest($${G + 4}::bigint[], $${G + 5}::bigint[]) AS q(a, below)
                    WHERE (SELECT coalesce(max(c.n), 0) FROM message_counts c
                            WHERE c.account_id = q.a AND c.dimension = 'status' AND c.value = 'QUEUED') >= q.below)
    AS ok),
  ids AS MATERIALIZED (SELECT o AS ord, nextval(pg_get_serial_sequence('messages', 'id')) AS drawn_id
      FROM generate_series(1, $${G + 6}::int) AS o WHERE ${OK}),
  m AS (${insertDrawnMessagesSql(1, 'ids')}),
  j AS (INSERT INTO jobs (kind, message_id, run_at) SELECT 'send', id, created_at FROM m ORDER BY id),
  k AS (INSERT INTO idempotency_keys (account_id, key, request_hash, response_body, created_at)
          SELECT * FROM unnest($${G + 7}::bigint[], $${G + 8}::text[], $${G + 9}::text[], $${G + 10}::text[], $${G + 11}::bigint[])
           WHERE ${OK}),
  r AS (INSERT INTO idempotency_keys (account_id, key, request_hash, response_body, created_at)
          SELECT * FROM unnest($${G + 12}::bigint[], $${G + 13}::text[], $${G + 14}::text[], $${G + 15}::text[], $${G + 16}::bigint[])
           WHERE ${OK}
          ON CONFLICT (account_id, key) DO UPDATE SET request_hash = excluded.request_hash,
            response_body = excluded.response_body, created_at = excluded.created_at)
SELECT ${OK} AS ok, (SELECT coalesce(array_agg(drawn_id ORDER BY ord), '{}') FROM ids)::text[] AS ids`;

/**
 * Stores `items` in one statement when every one of them would be stored as a QUEUED send whatever
 * the database holds, short of what the guard checks; returns undefined (nothing stored) when some
 * item would not (a replay, a full queue, a DECLINED copy), or when the guard finds otherwise.
 */
export async function acceptFast(pool: Pool, items: readonly AcceptInput[]): Promise<AcceptResult[] | undefined> {
  // Decided as if the database held nothing: each item's outcome then holds for the real state
  // exactly when the guard does.
  const state = new BatchAcceptState({ keys: [], queued: [], optedOut: [] });
  const messages: Omit<Message, 'id' | 'statusSeq'>[] = [];
  for (const input of items) {
    const decision = decideAccept(input, state);
    if (decision.kind !== 'store' || !decision.queued) return undefined;
    messages.push(decision.message);
  }
  const checked = items.filter((i) => i.whenOptedOut !== undefined);
  const withKey = items.filter((i) => i.idempotency !== undefined && looksBack(i.idempotency));
  const keyed = items.filter((i) => i.idempotency !== undefined && i.idempotency.retryMatch === undefined);
  const digests = latestDigests(items);
  const below = queueThresholds(items);
  const r = await pool.query<{ ok: boolean; ids: string[] }>({
    name: 'tapback-accept-fast',
    text: FAST_SQL,
    values: [
      ...insertMessagesParams(messages.map((m) => ({ ...m, id: 0, statusSeq: 0 }))),
      checked.map((i) => i.message.accountId),
      checked.map((i) => i.message.number),
      withKey.map((i) => i.message.accountId),
      withKey.map((i) => i.idempotency?.key),
      [...below.keys()],
      [...below.values()],
      items.length,
      ...keyColumns(keyed),
      ...keyColumns(digests),
    ],
  });
  const row = r.rows[0];
  if (row === undefined || !row.ok) return undefined;
  if (row.ids.length !== messages.length) throw new Error('accept drew the wrong number of ids');
  return messages.map((m, i) => ({ kind: 'accepted', message: { ...m, id: Number(row.ids[i]), statusSeq: 0 } }));
}

/**
 * Per account, the QUEUED count below which every item of the batch fits: item j (the account's
 * j-th in the batch, from 0) is stored when count + j < its queue limit.
 */
function queueThresholds(items: readonly AcceptInput[]): Map<number, number> {
  const below = new Map<number, number>();
  const rank = new Map<number, number>();
  for (const i of items) {
    const a = i.message.accountId;
    const j = rank.get(a) ?? 0;
    rank.set(a, j + 1);
    // Clamped: the threshold travels as a bigint, and an unlimited queue may come as Infinity.
    below.set(a, Math.min(below.get(a) ?? Number.MAX_SAFE_INTEGER, i.queueLimit - j));
  }
  return below;
}

function keyColumns(items: readonly AcceptInput[]): unknown[][] {
  return [
    items.map((i) => i.message.accountId),
    items.map((i) => i.idempotency?.key),
    items.map((i) => i.idempotency?.requestHash),
    items.map((i) => i.idempotency?.responseBody),
    items.map((i) => i.message.createdAt),
  ];
}

/** As in postgres-accept.ts: the last request digest of each (account, key) only. */
function latestDigests(items: readonly AcceptInput[]): AcceptInput[] {
  const latest = new Map<string, AcceptInput>();
  for (const i of items) {
    if (i.idempotency?.retryMatch !== undefined) latest.set(`${i.message.accountId} ${i.idempotency.key}`, i);
  }
  return [...latest.values()];
}
