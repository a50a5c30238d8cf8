import type { LocationShare } from '../../domain/location-share.js';
import { holdsNul } from './dialect-values.js';
import { type Plan, type QB, type RowOf, all, first, run } from './query-plan.js';

/** Find My location shares of contacts with an account's lines (LocationSharesPort). */

export interface NewLocationRequest {
  lineId: number;
  accountId: number;
  number: string;
  requestHandle: string;
  now: number;
  /** When the contact will accept; null: never. */
  acceptsAt: number | null;
}

/**
 * Records a request. Asking again a contact who already shares (or will) changes nothing but the
 * latest request's handle and time: a share, once accepted, is not taken back by a new request.
 */
export function* requestLocationShare(q: QB, input: NewLocationRequest): Plan<LocationShare> {
  yield* run(
    q
      .insertInto('location_shares')
      .values({
        line_id: input.lineId,
        number: input.number,
        account_id: input.accountId,
        request_handle: input.requestHandle,
        requested_at: input.now,
        accepts_at: input.acceptsAt,
      })
      .onConflict((oc) =>
        oc.columns(['line_id', 'number']).doUpdateSet((eb) => ({
          request_handle: eb.ref('excluded.request_handle'),
          requested_at: eb.ref('excluded.requested_at'),
        })),
      ),
  );
  const share = yield* getLocationShare(q, input.accountId, input.lineId, input.number);
  if (share === undefined) throw new Error('location share vanished after insert');
  return share;
}

export function* getLocationShare(
  q: QB,
  accountId: number,
  lineId: number,
  number: string,
): Plan<LocationShare | undefined> {
  if (holdsNul(number)) return undefined;
  const row = yield* first(
    shares(q).where('s.account_id', '=', accountId).where('s.line_id', '=', lineId).where('s.number', '=', number),
  );
  return row && shareFromRow(row);
}

/** Every contact asked to share with the line, by number. */
export function* listLocationShares(q: QB, accountId: number, lineId: number): Plan<LocationShare[]> {
  const rows = yield* all(
    shares(q).where('s.account_id', '=', accountId).where('s.line_id', '=', lineId).orderBy('s.number'),
  );
  return rows.map(shareFromRow);
}

function shares(q: QB) {
  return q
    .selectFrom('location_shares as s')
    .innerJoin('lines as l', 'l.id', 's.line_id')
    .select([
      's.line_id',
      'l.number as line',
      's.number',
      's.account_id',
      's.request_handle',
      's.requested_at',
      's.accepts_at',
    ]);
}

function shareFromRow(r: RowOf<ReturnType<typeof shares>>): LocationShare {
  return {
    lineId: r.line_id,
    line: r.line,
    number: r.number,
    accountId: r.account_id,
    requestHandle: r.request_handle,
    requestedAt: r.requested_at,
    acceptsAt: r.accepts_at,
  };
}
