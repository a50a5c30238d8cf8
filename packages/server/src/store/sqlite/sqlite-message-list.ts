import type Database from 'better-sqlite3';
import type { Message } from '../../domain/message.js';
import type { MessageQuery } from '../../domain/message-query.js';
import { buildMessageList, type NumberSides, numberSidesOf } from '../message-filter.js';
import { holdsNul } from '../queries/dialect-values.js';
import { MESSAGE_SELECT, type MessageRow, rowToMessage } from './message-row.js';
import type { Stmt } from './prepared.js';

/** Reading messages on SQLite: one by handle, and the list endpoint's pages (message-filter.ts). */
export class SqliteMessageList {
  constructor(
    private readonly db: Database.Database,
    private readonly stmt: Stmt,
  ) {}

  async getMessage(accountId: number, handle: string): Promise<Message | undefined> {
    if (holdsNul(handle)) return undefined;
    const row = this.stmt(`${MESSAGE_SELECT} WHERE m.handle = ? AND m.account_id = ?`).get(handle, accountId) as
      MessageRow | undefined;
    return row && rowToMessage(row);
  }

  /** The total, and the page chosen from it, in one read transaction: both from the same snapshot. */
  async listMessages(accountId: number, query: MessageQuery): Promise<{ messages: Message[]; total: number }> {
    const build = (sides?: NumberSides) =>
      buildMessageList(
        accountId,
        query,
        () => '?',
        (b) => (b ? 1 : 0),
        MESSAGE_SELECT,
        sides,
      );
    const { count } = build();
    // No stored value holds U+0000 (queries/dialect-values.ts), on either backend.
    if (holdsNul(count.params)) return { messages: [], total: 0 };
    return this.db.transaction(() => {
      const counted = this.stmt(count.sql).get(...count.params) as { n: number; contact_n?: number; line_n?: number };
      const { page } = build(numberSidesOf(counted));
      const rows = this.stmt(page.sql).all(...page.params) as MessageRow[];
      return { messages: rows.map(rowToMessage), total: counted.n };
    })();
  }
}
