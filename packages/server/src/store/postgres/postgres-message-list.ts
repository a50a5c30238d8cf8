import type pg from 'pg';
import type { Message } from '../../domain/message.js';
import type { MessageQuery } from '../../domain/message-query.js';
import { buildMessageList, type NumberSides, numberSidesOf } from '../message-filter.js';
import { MESSAGE_SELECT, type MessageRow, rowToMessage } from './message-row.js';
import { inTransaction } from './postgres-connection.js';
import { holdsNul } from '../queries/dialect-values.js';

/** Reading messages on PostgreSQL: one by handle, and the list endpoint's pages (message-filter.ts). */
export class PostgresMessageList {
  constructor(private readonly pool: pg.Pool) {}

  async getMessage(accountId: number, handle: string): Promise<Message | undefined> {
    if (holdsNul(handle)) return undefined;
    const r = await this.pool.query<MessageRow>(`${MESSAGE_SELECT} WHERE m.handle = $1 AND m.account_id = $2`, [
      handle,
      accountId,
    ]);
    return r.rows[0] && rowToMessage(r.rows[0]);
  }

  /**
   * The total, and the page chosen from it, in one REPEATABLE READ transaction: both from the same
   * snapshot, as on SQLite, so a page never disagrees with its total while messages arrive. It
   * costs two round trips more than running them side by side, off the send path.
   */
  async listMessages(accountId: number, query: MessageQuery): Promise<{ messages: Message[]; total: number }> {
    const build = (sides?: NumberSides) =>
      buildMessageList(
        accountId,
        query,
        (i) => `$${i}`,
        (b) => b,
        MESSAGE_SELECT,
        sides,
      );
    const { count } = build();
    if (holdsNul(count.params)) return { messages: [], total: 0 };
    return inTransaction(
      this.pool,
      async (c) => {
        const counted = (await c.query<{ n: number; contact_n?: number; line_n?: number }>(count.sql, count.params))
          .rows[0];
        const { page } = build(numberSidesOf(counted));
        const rows = await c.query<MessageRow>(page.sql, page.params);
        return { messages: rows.rows.map(rowToMessage), total: Number(counted?.n ?? 0) };
      },
      'REPEATABLE READ, READ ONLY',
    );
  }
}
