import { sql } from 'kysely';
import { flag } from './dialect-values.js';
import { type Plan, type QB, all, lock, run } from './query-plan.js';

/**
 * What the retention pruner deletes (RetentionPort), one bounded batch per call, each in a
 * transaction of its own that first takes the `retention` lock: the rows a batch picks and the rows
 * it deletes are the same even when two processes prune one PostgreSQL database at once (the
 * second waits, then finds what is left). Nothing still in use is picked: a pending webhook
 * delivery, a message that is not final or still has a job or a pending delivery.
 */

/** The final statuses (domain/status.ts): a message in one of them changes no more. */
const FINAL_STATUSES = ['DELIVERED', 'ERROR', 'DECLINED', 'RECEIVED'] as const;

/** The prefix of a request digest's derived key (messaging/request-identity.ts); a client's key never has a space. */
const DIGEST_PREFIX = 'retry ';

/**
 * Finished webhook deliveries (delivered, failed, disabled) last touched before `before`, with
 * their attempts, oldest first; the count of deliveries deleted.
 */
export function* pruneWebhookLog(q: QB, before: number, limit: number): Plan<number> {
  yield* lock('retention');
  // Matches the partial index of migration 0019 term for term (a literal, not a parameter).
  const rows = yield* all(
    q
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '<>', sql.lit('pending'))
      .where('updated_at', '<', before)
      .orderBy('updated_at')
      .orderBy('id')
      .limit(limit),
  );
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return 0;
  yield* run(q.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids));
  yield* run(q.deleteFrom('webhook_deliveries').where('id', 'in', ids));
  return ids.length;
}

/**
 * Idempotency keys no request can replay any more: request digests recorded before
 * `digestsBefore` (past the retry-match window) and, when `keysBefore` is set, clients' keys
 * recorded before it (their messages are past retention). The count deleted.
 */
export function* pruneIdempotencyKeys(
  q: QB,
  cutoffs: { digestsBefore: number; keysBefore: number | undefined },
  limit: number,
): Plan<number> {
  yield* lock('retention');
  const rows = yield* all(
    q
      .selectFrom('idempotency_keys')
      .select(['account_id', 'key'])
      .where((eb) =>
        eb.or([
          eb.and([eb('created_at', '<', cutoffs.digestsBefore), eb('key', 'like', `${DIGEST_PREFIX}%`)]),
          ...(cutoffs.keysBefore === undefined ? [] : [eb('created_at', '<', cutoffs.keysBefore)]),
        ]),
      )
      .orderBy('created_at')
      .limit(limit),
  );
  let deleted = 0;
  // Grouped by account: one delete per account of the batch, by primary key.
  for (const [accountId, keys] of groupBy(rows, (r) => r.account_id)) {
    deleted += yield* run(
      q
        .deleteFrom('idempotency_keys')
        .where('account_id', '=', accountId)
        .where(
          'key',
          'in',
          keys.map((k) => k.key),
        ),
    );
  }
  return deleted;
}

/**
 * Messages created before `before` that are final, have no job left and no pending webhook
 * delivery, oldest first, with their network receipts and finished deliveries; the message
 * counters lose them. Read account by account along the (account, created_at) index, so a batch
 * reads only old rows however many new ones there are. The count of messages deleted.
 */
export function* pruneMessages(q: QB, before: number, limit: number): Plan<number> {
  yield* lock('retention');
  const accounts = yield* all(q.selectFrom('accounts').select('id').orderBy('id'));
  const picked: PickedMessage[] = [];
  for (const account of accounts) {
    if (picked.length >= limit) break;
    const rows = yield* all(
      q
        .selectFrom('messages as m')
        .select(['m.id', 'm.account_id', 'm.group_id', 'm.sendblue_number', 'm.number', 'm.is_outbound', 'm.status'])
        .where('m.account_id', '=', account.id)
        .where('m.created_at', '<', before)
        .where('m.status', 'in', [...FINAL_STATUSES])
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('jobs as j').select('j.id').whereRef('j.message_id', '=', 'm.id'))),
        )
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('webhook_deliveries as d')
                .select('d.id')
                .whereRef('d.message_id', '=', 'm.id')
                .where('d.status', '=', sql.lit('pending')),
            ),
          ),
        )
        .orderBy('m.created_at')
        .orderBy('m.id')
        .limit(limit - picked.length),
    );
    picked.push(...rows);
  }
  const ids = picked.map((m) => m.id);
  if (ids.length === 0) return 0;
  const deliveries = q
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('message_id', 'in', ids)
    .where('status', '<>', sql.lit('pending'));
  yield* run(q.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveries));
  // A replay queued since the pick keeps its row: its payload is complete without the message.
  yield* run(
    q.deleteFrom('webhook_deliveries').where('message_id', 'in', ids).where('status', '<>', sql.lit('pending')),
  );
  yield* run(q.deleteFrom('network_segments').where('message_id', 'in', ids));
  yield* run(q.deleteFrom('messages').where('id', 'in', ids));
  const counts = countsOf(picked);
  for (const c of counts) {
    yield* run(
      q
        .insertInto('message_counts')
        .values(c)
        .onConflict((oc) =>
          oc
            .columns(['account_id', 'dimension', 'value'])
            .doUpdateSet({ n: (eb) => eb('message_counts.n', '+', eb.ref('excluded.n')) }),
        ),
    );
  }
  return ids.length;
}

interface PickedMessage {
  id: number;
  account_id: number;
  group_id: string;
  sendblue_number: string;
  number: string;
  is_outbound: boolean | 0 | 1;
  status: string;
}

/** What deleting `messages` takes off each counter (the dimensions of migration 0004), in key order. */
function countsOf(messages: readonly PickedMessage[]) {
  const deltas = new Map<string, { account_id: number; dimension: string; value: string; n: number }>();
  const add = (account: number, dimension: string, value: string): void => {
    const key = `${account}\u0000${dimension}\u0000${value}`;
    const d = deltas.get(key) ?? { account_id: account, dimension, value, n: 0 };
    d.n -= 1;
    deltas.set(key, d);
  };
  for (const m of messages) {
    add(m.account_id, 'all', '');
    add(m.account_id, 'group', m.group_id);
    add(m.account_id, 'line', m.sendblue_number);
    add(m.account_id, 'number', m.number);
    add(m.account_id, 'outbound', flag(m.is_outbound) ? '1' : '0');
    if (m.number === m.sendblue_number) add(m.account_id, 'self', m.number);
    add(m.account_id, 'status', m.status);
  }
  // Concurrent PostgreSQL transactions update counters in one order (as migration 0004's triggers do).
  return [...deltas.values()].sort(
    (a, b) => a.account_id - b.account_id || cmp(a.dimension, b.dimension) || cmp(a.value, b.value),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}
