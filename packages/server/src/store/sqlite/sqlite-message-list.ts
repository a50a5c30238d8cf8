import type Database from 'better-sqlite3';
import type { Message } from '../../domain/message.js';
import type { AppCardPayload } from '../../domain/message-payload.js';
import type { MessageQuery } from '../../domain/message-query.js';
import { buildMessageList, type NumberSides, numberSidesOf } from '../message-filter.js';
import { finishWireJson } from '../message-wire-json.js';
import { messageWireSelect } from '../message-wire-sql.js';
import { holdsNul } from '../queries/dialect-values.js';
import { MESSAGE_SELECT, type MessageRow, rowToMessage } from './message-row.js';
import type { Stmt } from './prepared.js';

/** A message as its wire JSON, as messageWireSelect reads it (`card` is JSON text). */
interface WireRow {
  wire: string;
  sms: string | null;
  card: string | null;
}

const WIRE_SELECT = messageWireSelect('sqlite');

const wireOf = (r: WireRow): string =>
  finishWireJson(r.wire, r.sms, r.card === null ? null : (JSON.parse(r.card) as AppCardPayload));

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

  async listMessages(accountId: number, query: MessageQuery): Promise<{ messages: Message[]; total: number }> {
    return this.page(accountId, query, MESSAGE_SELECT, rowToMessage);
  }

  async listMessagesWire(accountId: number, query: MessageQuery): Promise<{ messages: string[]; total: number }> {
    return this.page(accountId, query, WIRE_SELECT, wireOf);
  }

  /** The total, and the page chosen from it, in one read transaction: both from the same snapshot. */
  private page<R, T>(
    accountId: number,
    query: MessageQuery,
    select: string,
    map: (row: R) => T,
  ): { messages: T[]; total: number } {
    const build = (sides?: NumberSides) =>
      buildMessageList(
        accountId,
        query,
        () => '?',
        (b) => (b ? 1 : 0),
        select,
        sides,
      );
    const { count } = build();
    // No stored value holds U+0000 (queries/dialect-values.ts), on either backend.
    if (holdsNul(count.params)) return { messages: [], total: 0 };
    return this.db.transaction(() => {
      const counted = this.stmt(count.sql).get(...count.params) as { n: number; contact_n?: number; line_n?: number };
      const { page } = build(numberSidesOf(counted));
      const rows = this.stmt(page.sql).all(...page.params) as R[];
      return { messages: rows.map(map), total: counted.n };
    })();
  }
}
