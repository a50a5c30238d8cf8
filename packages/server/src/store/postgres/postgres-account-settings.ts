import type { AccountSettings } from '../../domain/contact.js';
import type { Db } from './postgres-pool.js';

/** Per-account settings (the HELP reply); an account without a row has the defaults. */
export const postgresAccountSettings = {
  async get(db: Db, accountId: number): Promise<AccountSettings> {
    const r = await db.query<{ help_reply: string | null }>(
      'SELECT help_reply FROM account_settings WHERE account_id = $1',
      [accountId],
    );
    return { helpReply: r.rows[0]?.help_reply ?? null };
  },

  async update(db: Db, accountId: number, helpReply: string | null, now: number): Promise<AccountSettings> {
    await db.query(
      `INSERT INTO account_settings (account_id, help_reply, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (account_id) DO UPDATE SET help_reply = excluded.help_reply, updated_at = excluded.updated_at`,
      [accountId, helpReply, now],
    );
    return { helpReply };
  },
};
