// Saved contacts (the Contacts API's records) inserted straight into a migrated Tapback SQLite
// file, fast: one transaction per 50,000 rows, as `tapback` would have stored them one by one.
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { LINE } from './processes.mjs';

/** Saved contact `i`: a number of its own, never one of the seeded message history's. */
export const savedContactNumber = (i) => `+1777${String(i).padStart(7, '0')}`;

/**
 * `contacts` saved contacts in the account `email` (the bootstrap account by default), created one
 * millisecond apart, newest last, each with names, a tag and a custom variable.
 */
export function seedContacts(path, { contacts, email = 'dev@tapback.local' }) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const account = db.prepare('SELECT id FROM accounts WHERE email = ?').get(email);
  if (account === undefined) throw new Error(`no account ${email} in ${path}`);
  const insert = db.prepare(
    `INSERT INTO contacts (account_id, number, opted_out, updated_at, contact_id, first_name, last_name,
       company_name, assigned_to_email, sendblue_number, tags, custom_variables, created_at, service)
     VALUES (?, ?, 0, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, 'iMessage')`,
  );
  const started = performance.now();
  const firstAt = Date.now() - contacts;
  const chunk = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const at = firstAt + i;
      insert.run(
        account.id,
        savedContactNumber(i),
        at,
        uuidv7({ msecs: at }),
        `First${i}`,
        `Last${i}`,
        'Bench Inc',
        LINE,
        '["bench"]',
        JSON.stringify({ seat: String(i % 100) }),
        at,
      );
    }
  });
  for (let i = 0; i < contacts; i += 50_000) chunk(i, Math.min(contacts, i + 50_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const elapsedMs = performance.now() - started;
  return { elapsedMs: Math.round(elapsedMs), rowsPerSec: Math.round((contacts / elapsedMs) * 1000) };
}
