import type { Contact } from '../../domain/contact.js';
import type { Db } from './postgres-pool.js';

/** Contacts' opt-out state per account, on whatever connection (or transaction) is passed in. */
export const postgresContacts = {
  async isOptedOut(db: Db, accountId: number, number: string): Promise<boolean> {
    const r = await db.query<{ opted_out: boolean }>(
      'SELECT opted_out FROM contacts WHERE account_id = $1 AND number = $2',
      [accountId, number],
    );
    return r.rows[0]?.opted_out === true;
  },

  async get(db: Db, accountId: number, number: string): Promise<Contact> {
    const r = await db.query<{ opted_out: boolean; updated_at: number }>(
      'SELECT opted_out, updated_at FROM contacts WHERE account_id = $1 AND number = $2',
      [accountId, number],
    );
    const row = r.rows[0];
    return { accountId, number, optedOut: row?.opted_out === true, updatedAt: row?.updated_at ?? null };
  },

  async set(db: Db, accountId: number, number: string, optedOut: boolean, now: number): Promise<Contact> {
    await db.query(
      `INSERT INTO contacts (account_id, number, opted_out, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, number) DO UPDATE SET opted_out = excluded.opted_out, updated_at = excluded.updated_at`,
      [accountId, number, optedOut, now],
    );
    return { accountId, number, optedOut, updatedAt: now };
  },
};
