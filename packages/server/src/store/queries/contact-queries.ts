import type { Contact } from '../../domain/contact.js';
import { flag } from './dialect-values.js';
import { type Plan, type QB, first, run, template } from './query-plan.js';

/**
 * Contacts' opt-out state per account. The accept paths run these inside their own transactions
 * (on SQLite synchronously, inside the group commit), so a send sees exactly the STOP committed
 * before it.
 */

export function* isOptedOut(q: QB, accountId: number, number: string): Plan<boolean> {
  return (yield* getContact(q, accountId, number)).optedOut;
}

export function* getContact(q: QB, accountId: number, number: string): Plan<Contact> {
  const row = yield* first(contact(q, accountId, number));
  return { accountId, number, optedOut: row !== undefined && flag(row.opted_out), updatedAt: row?.updated_at ?? null };
}

export function* setContactOptOut(
  q: QB,
  input: { accountId: number; number: string; optedOut: boolean; now: number },
): Plan<Contact> {
  yield* run(
    q
      .insertInto('contacts')
      .values({ account_id: input.accountId, number: input.number, opted_out: input.optedOut, updated_at: input.now })
      .onConflict((oc) =>
        oc.columns(['account_id', 'number']).doUpdateSet((eb) => ({
          opted_out: eb.ref('excluded.opted_out'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      ),
  );
  return { accountId: input.accountId, number: input.number, optedOut: input.optedOut, updatedAt: input.now };
}

/** Read inside every accepting transaction that checks opt-outs: compiled once (query-plan.ts). */
const contact = template((q: QB, accountId: number, number: string) =>
  q
    .selectFrom('contacts')
    .select(['opted_out', 'updated_at'])
    .where('account_id', '=', accountId)
    .where('number', '=', number),
);
