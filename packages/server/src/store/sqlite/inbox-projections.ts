import type { Message } from '../../domain/message.js';
import type { Stmt } from './prepared.js';

/** What the inbox's read side keeps of a message. */
export type Projected = Pick<
  Message,
  | 'id'
  | 'accountId'
  | 'sendblueNumber'
  | 'groupId'
  | 'number'
  | 'content'
  | 'status'
  | 'service'
  | 'createdAt'
  | 'updatedAt'
  | 'errorCode'
  | 'errorMessage'
>;

/** The newest message of one conversation among those this transaction inserted. */
interface Newest {
  accountId: number;
  line: string;
  groupId: string;
  number: string;
  id: number;
  at: number;
  service: string;
}

/**
 * The conversations (migration 0021), the search index and the status history (0022) of the
 * messages the SQLite store inserts and updates, written by the store inside the same transaction
 * instead of by row triggers (0025 dropped the insert and status ones). Any row trigger on
 * `messages` makes SQLite keep a statement journal for every insert and status update, which
 * spilled to a temporary file per statement: a message insert cost ~4x what it costs without.
 *
 * The history row and the index entry are written with the message (the history keeps the order
 * the triggers gave it); the conversation's newest message is gathered in memory and written once
 * per conversation when the transaction ends, so a group commit of 50 sends to one contact is one
 * upsert. Every message insert and status change of the store goes through `inserted` and
 * `statusChanged`, and each transaction that writes messages starts with `clear` and ends with
 * `flush`, so a rolled-back transaction leaves nothing behind. Deletes keep their triggers.
 */
export class InboxProjections {
  private readonly newest = new Map<string, Newest>();
  /** The same conversations, by the id of their newest message, for a service change before `flush`. */
  private readonly newestById = new Map<number, Newest>();

  constructor(private readonly stmt: Stmt) {}

  /** Inside the transaction, right after the message's row was inserted. */
  inserted(m: Projected): void {
    this.stmt(INSERT_HISTORY_SQL).run(m.id, m.status, m.updatedAt, m.errorCode, m.errorMessage);
    this.stmt(INSERT_FTS_SQL).run(m.id, m.content);
    const peer = m.groupId === '' ? m.number : '';
    const k = `${m.accountId}\u0000${m.sendblueNumber}\u0000${m.groupId}\u0000${peer}`;
    const prior = this.newest.get(k);
    if (prior !== undefined && (prior.at > m.createdAt || (prior.at === m.createdAt && prior.id > m.id))) return;
    if (prior !== undefined) this.newestById.delete(prior.id);
    const entry: Newest = {
      accountId: m.accountId,
      line: m.sendblueNumber,
      groupId: m.groupId,
      number: peer,
      id: m.id,
      at: m.createdAt,
      service: m.service,
    };
    this.newest.set(k, entry);
    this.newestById.set(m.id, entry);
  }

  /**
   * Inside the transaction, right after the message's row was updated to `m`, whose status was
   * `from`: a history row when the status changed, and the conversation's service when `m` is its
   * newest message (a delivery by SMS instead of iMessage). The conversation keeps its newest
   * message's service, so writing it when it did not change is a no-op, and the update is guarded
   * so that it writes nothing then.
   */
  statusChanged(m: Projected, from: string): void {
    if (from !== m.status) {
      this.stmt(INSERT_HISTORY_SQL).run(m.id, m.status, m.updatedAt, m.errorCode, m.errorMessage);
    }
    const pending = this.newestById.get(m.id);
    if (pending !== undefined) {
      pending.service = m.service;
      return;
    }
    this.stmt(UPDATE_SERVICE_SQL).run(
      m.service,
      m.accountId,
      m.sendblueNumber,
      m.groupId,
      m.groupId === '' ? m.number : '',
      m.id,
      m.service,
    );
  }

  clear(): void {
    this.newest.clear();
    this.newestById.clear();
  }

  /** Inside the transaction, last: one upsert per conversation that got a message. */
  flush(): void {
    if (this.newest.size === 0) return;
    const upsert = this.stmt(UPSERT_CONVERSATION_SQL);
    for (const c of this.newest.values()) upsert.run(c.accountId, c.line, c.groupId, c.number, c.id, c.at, c.service);
    this.clear();
  }
}

const INSERT_HISTORY_SQL = `INSERT INTO message_status_history (message_id, status, at, error_code, error_message)
  VALUES (?, ?, ?, ?, ?)`;

const INSERT_FTS_SQL = 'INSERT INTO messages_fts (rowid, content) VALUES (?, ?)';

/** The upsert of migration 0021's insert trigger: a conversation moves only to a newer message. */
const UPSERT_CONVERSATION_SQL = `INSERT INTO conversations
    (account_id, line, group_id, number, last_message_id, last_message_at, service)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (account_id, line, group_id, number) DO UPDATE
     SET last_message_id = excluded.last_message_id, last_message_at = excluded.last_message_at,
         service = excluded.service
   WHERE excluded.last_message_at > conversations.last_message_at
      OR (excluded.last_message_at = conversations.last_message_at
          AND excluded.last_message_id > conversations.last_message_id)`;

const UPDATE_SERVICE_SQL = `UPDATE conversations SET service = ?
  WHERE account_id = ? AND line = ? AND group_id = ? AND number = ? AND last_message_id = ? AND service IS NOT ?`;

/**
 * Brings conversations, the search index and the status history up to date with messages written
 * behind the store's back (bulk imports, benchmark seeds), as RECOUNT_MESSAGES_SQL does for the
 * counters: each conversation moves to its newest message (read marks are kept), and a message
 * with no history, which is how one written behind the store's back is told apart (the store and
 * the triggers before migration 0025 write both together), gets its index entry and its current
 * status as its first history entry. Running it twice changes nothing.
 */
export const CATCH_UP_INBOX_SQL = `INSERT INTO conversations
    (account_id, line, group_id, number, last_message_id, last_message_at, service)
  SELECT account_id, sendblue_number, group_id, peer, id, created_at, service FROM (
    SELECT account_id, sendblue_number, group_id, CASE WHEN group_id = '' THEN number ELSE '' END AS peer, id,
           created_at, service,
           row_number() OVER (PARTITION BY account_id, sendblue_number, group_id,
                                           CASE WHEN group_id = '' THEN number ELSE '' END
                              ORDER BY created_at DESC, id DESC) AS rank
      FROM messages)
   WHERE rank = 1
  ON CONFLICT (account_id, line, group_id, number) DO UPDATE
     SET last_message_id = excluded.last_message_id, last_message_at = excluded.last_message_at,
         service = excluded.service;
  INSERT INTO messages_fts (rowid, content)
  SELECT id, content FROM messages m
   WHERE NOT EXISTS (SELECT 1 FROM message_status_history h WHERE h.message_id = m.id);
  INSERT INTO message_status_history (message_id, status, at, error_code, error_message)
  SELECT id, status, updated_at, error_code, error_message FROM messages m
   WHERE NOT EXISTS (SELECT 1 FROM message_status_history h WHERE h.message_id = m.id)
   ORDER BY id;`;
