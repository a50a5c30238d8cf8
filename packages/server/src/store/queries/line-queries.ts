import type { Line } from '../../domain/account.js';
import { holdsNul } from './dialect-values.js';
import { type Plan, type QB, type RowOf, all, first, run } from './query-plan.js';

/** The numbers accounts send from (LinesPort). */

export function* addLine(
  q: QB,
  input: { accountId: number; number: string; provider: string; now: number },
): Plan<Line> {
  yield* run(
    q.insertInto('lines').values({
      account_id: input.accountId,
      number: input.number,
      provider: input.provider,
      created_at: input.now,
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
    .select(['l.id', 'l.account_id', 'a.email as account_email', 'l.number', 'l.provider', 'l.created_at']);
}

function lineFromRow(r: RowOf<ReturnType<typeof lines>>): Line {
  return {
    id: r.id,
    accountId: r.account_id,
    accountEmail: r.account_email,
    number: r.number,
    provider: r.provider,
    createdAt: r.created_at,
  };
}
