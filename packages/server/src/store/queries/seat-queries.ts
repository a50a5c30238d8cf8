import { randomUUID } from 'node:crypto';
import type { Seat } from '../../domain/seat.js';
import { holdsNul } from './dialect-values.js';
import { type Plan, type QB, type RowOf, all, first, only, run } from './query-plan.js';

/**
 * Seats (SeatsPort): the people of an account. Every account has at least its owner's seat (its
 * email, "Account Owner"), created the first time the account's seats are read.
 */

export interface SeatFilter {
  /** Exact match. */
  email?: string;
  limit?: number;
  offset?: number;
}

export function* listSeats(q: QB, accountId: number, filter: SeatFilter, now: number): Plan<Seat[]> {
  yield* ensureOwnerSeat(q, accountId, now);
  let query = seats(q).where('s.account_id', '=', accountId);
  if (filter.email !== undefined) query = query.where('s.email', '=', filter.email);
  query = query.orderBy('s.created_at').orderBy('s.seat_id');
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  if (filter.offset !== undefined && filter.offset > 0) {
    // SQLite takes OFFSET only after a LIMIT; -1 is its "no limit".
    if (filter.limit === undefined) query = query.limit(Number.MAX_SAFE_INTEGER);
    query = query.offset(filter.offset);
  }
  return (yield* all(query)).map(seatFromRow);
}

export function* countSeats(q: QB, accountId: number, filter: Pick<SeatFilter, 'email'>, now: number): Plan<number> {
  yield* ensureOwnerSeat(q, accountId, now);
  let query = q
    .selectFrom('seats as s')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('s.account_id', '=', accountId);
  if (filter.email !== undefined) query = query.where('s.email', '=', filter.email);
  const row = yield* only(query);
  return Number(row.n);
}

/** By seat_id or by auth subject; undefined when the account has no such seat. */
export function* findSeat(q: QB, accountId: number, id: string, now: number): Plan<Seat | undefined> {
  yield* ensureOwnerSeat(q, accountId, now);
  if (holdsNul(id)) return undefined;
  const row = yield* first(
    seats(q)
      .where('s.account_id', '=', accountId)
      .where((eb) => eb.or([eb('s.seat_id', '=', id), eb('s.auth_subject', '=', id)])),
  );
  return row && seatFromRow(row);
}

function* ensureOwnerSeat(q: QB, accountId: number, now: number): Plan<void> {
  const account = yield* first(q.selectFrom('accounts').select('email').where('id', '=', accountId));
  if (account === undefined) return;
  yield* run(
    q
      .insertInto('seats')
      .values({
        seat_id: randomUUID(),
        account_id: accountId,
        auth_subject: `owner-${accountId}`,
        email: account.email,
        first_name: 'Account',
        last_name: 'Owner',
        forwarding_number: null,
        created_at: now,
      })
      .onConflict((oc) => oc.column('auth_subject').doNothing()),
  );
}

function seats(q: QB) {
  return q
    .selectFrom('seats as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select([
      's.seat_id',
      's.account_id',
      's.auth_subject',
      's.email',
      's.first_name',
      's.last_name',
      's.forwarding_number',
      's.created_at',
      'a.email as account_email',
    ]);
}

function seatFromRow(r: RowOf<ReturnType<typeof seats>>): Seat {
  return {
    seatId: r.seat_id,
    accountId: r.account_id,
    authSubject: r.auth_subject,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    forwardingNumber: r.forwarding_number,
    createdAt: r.created_at,
    accountName: r.account_email,
  };
}
