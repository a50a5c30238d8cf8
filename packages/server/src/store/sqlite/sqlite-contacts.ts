import type { Contact } from '../../domain/contact.js';
import type { Stmt } from './sqlite-statements.js';

/**
 * Contacts' opt-out state per account. Every method runs on the caller's connection, so inside a
 * transaction it sees (and writes) exactly what that transaction does.
 */
export class SqliteContacts {
  constructor(private readonly stmt: Stmt) {}

  isOptedOut(accountId: number, number: string): boolean {
    const r = this.stmt('SELECT opted_out FROM contacts WHERE account_id = ? AND number = ?').get(accountId, number) as
      { opted_out: number } | undefined;
    return r?.opted_out === 1;
  }

  get(accountId: number, number: string): Contact {
    const r = this.stmt('SELECT opted_out, updated_at FROM contacts WHERE account_id = ? AND number = ?').get(
      accountId,
      number,
    ) as { opted_out: number; updated_at: number } | undefined;
    return { accountId, number, optedOut: r?.opted_out === 1, updatedAt: r?.updated_at ?? null };
  }

  set(accountId: number, number: string, optedOut: boolean, now: number): Contact {
    this.stmt(
      `INSERT INTO contacts (account_id, number, opted_out, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, number) DO UPDATE SET opted_out = excluded.opted_out, updated_at = excluded.updated_at`,
    ).run(accountId, number, optedOut ? 1 : 0, now);
    return { accountId, number, optedOut, updatedAt: now };
  }
}
