import type { AccountSettings } from '../../domain/contact.js';
import { type Plan, type QB, first, run } from './query-plan.js';

/** Per-account settings (the HELP reply); an account without a row has the defaults. */

export function* getAccountSettings(q: QB, accountId: number): Plan<AccountSettings> {
  const row = yield* first(q.selectFrom('account_settings').select('help_reply').where('account_id', '=', accountId));
  return { helpReply: row?.help_reply ?? null };
}

export function* updateAccountSettings(
  q: QB,
  accountId: number,
  update: { helpReply: string | null; now: number },
): Plan<AccountSettings> {
  yield* run(
    q
      .insertInto('account_settings')
      .values({ account_id: accountId, help_reply: update.helpReply, updated_at: update.now })
      .onConflict((oc) =>
        oc.column('account_id').doUpdateSet((eb) => ({
          help_reply: eb.ref('excluded.help_reply'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      ),
  );
  return { helpReply: update.helpReply };
}
