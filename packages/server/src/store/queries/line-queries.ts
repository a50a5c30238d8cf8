import type { Line } from '../../domain/account.js';
import type { LineConfig, LineHealth, LineStatus } from '../../domain/line.js';
import type { SecretCipher } from '../../lib/secret-cipher.js';
import { holdsNul } from './dialect-values.js';
import { type Plan, type QB, type RowOf, all, first, run } from './query-plan.js';

/** The numbers accounts send from, their providers' settings and health (LinesPort). */

export function* addLine(
  q: QB,
  cipher: SecretCipher,
  input: {
    accountId: number;
    number: string;
    provider: string;
    settings?: Record<string, unknown> | null;
    now: number;
  },
): Plan<Line> {
  yield* run(
    q.insertInto('lines').values({
      account_id: input.accountId,
      number: input.number,
      provider: input.provider,
      settings: sealSettings(cipher, input.settings ?? null),
      created_at: input.now,
      updated_at: input.now,
    }),
  );
  const line = yield* findLine(q, input.number);
  if (line === undefined) throw new Error('line vanished after insert');
  return line;
}

export function* findLine(q: QB, number: string): Plan<Line | undefined> {
  const row = yield* first(lines(q).where('l.number', '=', number));
  return row && lineFromRow(row);
}

/** The lines of many numbers in one query (PostgreSQL batches the lookups of an event-loop turn). */
export function* findLines(q: QB, numbers: readonly string[]): Plan<Line[]> {
  // One number that no line can have must not fail the others' query.
  const wanted = [...new Set(numbers)].filter((n) => !holdsNul(n));
  if (wanted.length === 0) return [];
  const rows = yield* all(lines(q).where((eb) => q.dialectValues.textIn(eb.ref('l.number'), wanted)));
  return rows.map(lineFromRow);
}

export function* listLines(q: QB, accountId?: number): Plan<Line[]> {
  let query = lines(q);
  if (accountId !== undefined) query = query.where('l.account_id', '=', accountId);
  return (yield* all(query.orderBy('l.id'))).map(lineFromRow);
}

function lines(q: QB) {
  return q
    .selectFrom('lines as l')
    .innerJoin('accounts as a', 'a.id', 'l.account_id')
    .select([
      'l.id',
      'l.account_id',
      'a.email as account_email',
      'a.plan as account_plan',
      'l.number',
      'l.provider',
      'l.created_at',
      'l.fallback_line',
      'l.fallback_after_ms',
    ]);
}

function lineFromRow(r: RowOf<ReturnType<typeof lines>>): Line {
  return {
    id: r.id,
    accountId: r.account_id,
    accountEmail: r.account_email,
    accountPlan: r.account_plan,
    number: r.number,
    provider: r.provider,
    createdAt: r.created_at,
    fallbackLine: r.fallback_line,
    fallbackAfterMs: r.fallback_after_ms === null ? null : Number(r.fallback_after_ms),
  };
}

/**
 * Sets a line's SMS fallback line and window (null clears each). The caller has checked that the
 * fallback line exists, belongs to the same account and carries SMS.
 */
export function* setLineRoute(
  q: QB,
  input: { number: string; fallbackLine: string | null; fallbackAfterMs: number | null; now: number },
): Plan<Line | undefined> {
  const changed = yield* run(
    q
      .updateTable('lines')
      .set({ fallback_line: input.fallbackLine, fallback_after_ms: input.fallbackAfterMs, updated_at: input.now })
      .where('number', '=', input.number),
  );
  return changed === 0 ? undefined : yield* findLine(q, input.number);
}

export function* updateLine(
  q: QB,
  cipher: SecretCipher,
  input: { number: string; provider: string; settings: Record<string, unknown> | null; now: number },
): Plan<Line | undefined> {
  const changed = yield* run(
    q
      .updateTable('lines')
      .set({ provider: input.provider, settings: sealSettings(cipher, input.settings), updated_at: input.now })
      .where('number', '=', input.number),
  );
  return changed === 0 ? undefined : yield* findLine(q, input.number);
}

/** Refuses while a send from the line waits in the queue: removing it would strand the message. */
export function* removeLine(q: QB, number: string): Plan<'removed' | 'not_found' | 'has_queued'> {
  const queued = yield* first(
    q
      .selectFrom('jobs as j')
      .innerJoin('messages as m', 'm.id', 'j.message_id')
      .select('j.id')
      .where('j.kind', '=', 'send')
      .where('m.sendblue_number', '=', number)
      .limit(1),
  );
  if (queued !== undefined) return (yield* findLine(q, number)) === undefined ? 'not_found' : 'has_queued';
  const removed = yield* run(q.deleteFrom('lines').where('number', '=', number));
  return removed === 0 ? 'not_found' : 'removed';
}

export function* listLineConfigs(q: QB, cipher: SecretCipher): Plan<LineConfig[]> {
  const rows = yield* all(
    q
      .selectFrom('lines')
      .select([
        'number',
        'account_id',
        'provider',
        'settings',
        'updated_at',
        'created_at',
        'fallback_line',
        'fallback_after_ms',
      ])
      .orderBy('id'),
  );
  return rows.map((r) => ({
    number: r.number,
    accountId: r.account_id,
    provider: r.provider,
    settings: r.settings === null ? {} : (JSON.parse(cipher.open(r.settings)) as Record<string, unknown>),
    updatedAt: r.updated_at ?? r.created_at,
    fallbackLine: r.fallback_line,
    fallbackAfterMs: r.fallback_after_ms === null ? null : Number(r.fallback_after_ms),
  }));
}

export function* recordLineHealth(q: QB, h: LineHealth): Plan<void> {
  const row = {
    status: h.status,
    changed_at: h.changedAt,
    degraded_since: h.degradedSince,
    last_error: h.lastError,
    last_error_at: h.lastErrorAt,
    worker_id: h.workerId,
  };
  // A line removed meanwhile has no health to keep: insert only while it exists.
  const exists = yield* first(q.selectFrom('lines').select('id').where('number', '=', h.number));
  if (exists === undefined) return;
  yield* run(
    q
      .insertInto('line_health')
      .values({ number: h.number, ...row })
      .onConflict((oc) => oc.column('number').doUpdateSet(row)),
  );
}

export function* listLineHealth(q: QB, accountId?: number): Plan<LineHealth[]> {
  let query = q
    .selectFrom('line_health as h')
    .innerJoin('lines as l', 'l.number', 'h.number')
    .select([
      'h.number',
      'h.status',
      'h.changed_at',
      'h.degraded_since',
      'h.last_error',
      'h.last_error_at',
      'h.worker_id',
    ]);
  if (accountId !== undefined) query = query.where('l.account_id', '=', accountId);
  const rows = yield* all(query.orderBy('l.id'));
  return rows.map((r) => ({
    number: r.number,
    status: r.status as LineStatus,
    changedAt: r.changed_at,
    degradedSince: r.degraded_since,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    workerId: r.worker_id,
  }));
}

function sealSettings(cipher: SecretCipher, settings: Record<string, unknown> | null): string | null {
  return settings === null || Object.keys(settings).length === 0 ? null : cipher.seal(JSON.stringify(settings));
}
