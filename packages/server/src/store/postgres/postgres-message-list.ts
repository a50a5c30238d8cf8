import type pg from 'pg';
import type { Message } from '../../domain/message.js';
import type { AppCardPayload } from '../../domain/message-payload.js';
import type { MessageQuery } from '../../domain/message-query.js';
import { buildMessageList, type NumberSides, numberSidesOf } from '../message-filter.js';
import { finishWireJson } from '../message-wire-json.js';
import { messageWireSelect } from '../message-wire-sql.js';
import { MESSAGE_SELECT, type MessageRow, rowToMessage } from './message-row.js';
import { inTransaction } from './postgres-connection.js';
import { holdsNul } from '../queries/dialect-values.js';

/** A message as its wire JSON, as messageWireSelect reads it (`card` is jsonb, parsed). */
interface WireRow {
  wire: string;
  sms: string | null;
  card: AppCardPayload | null;
}

const WIRE_SELECT = messageWireSelect('postgres');

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

  listMessages(accountId: number, query: MessageQuery): Promise<{ messages: Message[]; total: number }> {
    return this.page(accountId, query, MESSAGE_SELECT, rowToMessage);
  }

  /** The list's page with each message as its wire JSON, rendered by the database. */
  listMessagesWire(accountId: number, query: MessageQuery): Promise<{ messages: string[]; total: number }> {
    return this.page(accountId, query, WIRE_SELECT, (r: WireRow) => finishWireJson(r.wire, r.sms, r.card));
  }

  /**
   * The total, and the page chosen from it, in one REPEATABLE READ transaction: both from the same
   * snapshot, as on SQLite, so a page never disagrees with its total while messages arrive. It
   * costs two round trips more than running them side by side, off the send path.
   */
  private async page<R extends pg.QueryResultRow, T>(
    accountId: number,
    query: MessageQuery,
    select: string,
    map: (row: R) => T,
  ): Promise<{ messages: T[]; total: number }> {
    const build = (sides?: NumberSides) =>
      buildMessageList(
        accountId,
        query,
        (i) => `$${i}`,
        (b) => b,
        select,
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
        const rows = await c.query<R>(page.sql, page.params);
        return { messages: rows.rows.map(map), total: Number(counted?.n ?? 0) };
      },
      'REPEATABLE READ, READ ONLY',
    );
  }
}
