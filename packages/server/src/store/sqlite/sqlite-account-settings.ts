import type { AccountSettings } from '../../domain/contact.js';
import type { Stmt } from './sqlite-statements.js';

/** Per-account settings (the HELP reply); an account without a row has the defaults. */
export class SqliteAccountSettings {
  constructor(private readonly stmt: Stmt) {}

  get(accountId: number): AccountSettings {
    const r = this.stmt('SELECT help_reply FROM account_settings WHERE account_id = ?').get(accountId) as
      { help_reply: string | null } | undefined;
    return { helpReply: r?.help_reply ?? null };
  }

  update(accountId: number, helpReply: string | null, now: number): AccountSettings {
    this.stmt(
      `INSERT INTO account_settings (account_id, help_reply, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET help_reply = excluded.help_reply, updated_at = excluded.updated_at`,
    ).run(accountId, helpReply, now);
    return { helpReply };
  }
}
