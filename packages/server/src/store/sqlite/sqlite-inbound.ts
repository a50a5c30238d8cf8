import type Database from 'better-sqlite3';
import { declinedForOptOut } from '../../domain/opt-out.js';
import type { AcceptInput, AcceptResult, InboundInput, InboundResult } from '../ports/messages-port.js';
import { MESSAGE_COLUMNS, MESSAGE_SELECT, type MessageRow, messageParams, rowToMessage } from './message-row.js';
import type { SqliteContacts } from './sqlite-contacts.js';
import type { Stmt } from './sqlite-statements.js';
import type { SqliteWebhooks } from './sqlite-webhooks.js';
import { type MessageCountDeltas, UPSERT_COUNT_SQL } from './message-count-deltas.js';

/** Stores one outbound message inside the caller's transaction (SqliteStore's accept path). */
export type AcceptOne = (input: AcceptInput) => AcceptResult;

/**
 * Inbound messages on SQLite: the message, its keyword's effect on the contact, its `receive`
 * deliveries and any HELP reply commit together, or not at all.
 */
export class SqliteInbound {
  constructor(
    private readonly db: Database.Database,
    private readonly stmt: Stmt,
    private readonly contacts: SqliteContacts,
    private readonly webhooks: SqliteWebhooks,
    private readonly acceptOne: AcceptOne,
    private readonly counts: MessageCountDeltas,
  ) {}

  accept(input: InboundInput): InboundResult {
    return this.db
      .transaction(() => {
        this.counts.clear();
        const result = this.acceptInTransaction(input);
        this.counts.flush(this.stmt(UPSERT_COUNT_SQL));
        return result;
      })
      .immediate();
  }

  private acceptInTransaction(input: InboundInput): InboundResult {
    const m = input.message;
    const prior = this.stmt(`${MESSAGE_SELECT} WHERE m.handle = ?`).get(m.handle) as MessageRow | undefined;
    if (prior !== undefined) return { message: rowToMessage(prior), reply: null, duplicate: true };
    const optedOut =
      input.keyword === 'stop' || input.keyword === 'start'
        ? this.contacts.set(m.accountId, m.number, input.keyword === 'stop', m.createdAt).optedOut
        : this.contacts.isOptedOut(m.accountId, m.number);
    const insert = this.stmt(
      `INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')}) VALUES (${MESSAGE_COLUMNS.map((c) => '@' + c).join(', ')})`,
    );
    const id = Number(insert.run(messageParams({ ...m, optedOut, statusSeq: 0 })).lastInsertRowid);
    const message = { ...m, optedOut, id, statusSeq: 0 };
    this.counts.inserted(message);
    this.webhooks.enqueueReceived(message, m.createdAt);
    let reply = null;
    if (input.helpReply !== undefined) {
      const result = this.acceptOne({
        message: input.helpReply,
        queueLimit: Number.MAX_SAFE_INTEGER,
        whenOptedOut: { message: declinedForOptOut(input.helpReply), responseBody: '' },
      });
      if (result.kind === 'accepted') reply = result.message;
    }
    return { message, reply, duplicate: false };
  }
}
