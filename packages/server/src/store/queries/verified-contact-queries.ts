import type { VerifiedContact } from '../../domain/contact-record.js';
import { type Plan, type QB, type RowOf, all, first, run } from './query-plan.js';

/**
 * Verified contacts (`/v3/verified-contacts`): a number asked to verify itself, on its contact row
 * (`verification_requested_at`, migration 0010). It is verified once the account holds an inbound
 * message from it: read from the messages, never written with each one, so inbound stays one insert
 * and the two can never disagree.
 */

export function* requestContactVerification(
  q: QB,
  input: { accountId: number; number: string; now: number },
): Plan<VerifiedContact> {
  yield* run(
    q
      .insertInto('contacts')
      .values({
        account_id: input.accountId,
        number: input.number,
        opted_out: false,
        updated_at: input.now,
        verification_requested_at: input.now,
      })
      .onConflict((oc) =>
        oc.columns(['account_id', 'number']).doUpdateSet((eb) => ({
          verification_requested_at: eb.fn.coalesce(
            'contacts.verification_requested_at',
            eb.ref('excluded.verification_requested_at'),
          ),
        })),
      ),
  );
  const found = yield* getVerifiedContact(q, input.accountId, input.number);
  if (found === undefined) throw new Error('verified contact vanished after insert');
  return found;
}

export function* getVerifiedContact(q: QB, accountId: number, number: string): Plan<VerifiedContact | undefined> {
  const row = yield* first(verifications(q, accountId).where('c.number', '=', number));
  return row && verifiedFromRow(row);
}

export function* listVerifiedContacts(q: QB, accountId: number): Plan<VerifiedContact[]> {
  const rows = yield* all(
    verifications(q, accountId).orderBy('c.verification_requested_at', 'asc').orderBy('c.number', 'asc'),
  );
  return rows.map(verifiedFromRow);
}

/** Each asked number with its first inbound message's time: the messages' (account, number, time) index, in order. */
function verifications(q: QB, accountId: number) {
  return q
    .selectFrom('contacts as c')
    .where('c.account_id', '=', accountId)
    .where('c.verification_requested_at', 'is not', null)
    .select((eb) => [
      'c.number',
      'c.verification_requested_at',
      eb
        .selectFrom('messages as m')
        .select('m.created_at')
        .whereRef('m.account_id', '=', 'c.account_id')
        .whereRef('m.number', '=', 'c.number')
        .where('m.is_outbound', '=', false)
        .orderBy('m.created_at', 'asc')
        .limit(1)
        .as('first_inbound_at'),
    ]);
}

function verifiedFromRow(r: RowOf<ReturnType<typeof verifications>>): VerifiedContact {
  const requestedAt = r.verification_requested_at ?? 0;
  const inboundAt = r.first_inbound_at;
  return {
    number: r.number,
    verified: inboundAt !== null,
    createdAt: requestedAt,
    updatedAt: inboundAt === null ? requestedAt : Math.max(requestedAt, Number(inboundAt)),
  };
}
