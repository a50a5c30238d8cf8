import type Database from 'better-sqlite3';
import type { Message } from '../../domain/message.js';
import { networkIdHolder, planInbound } from '../inbound-plan.js';
import type { AcceptInput, AcceptResult, InboundInput, InboundResult } from '../ports/messages-port.js';
import { isOptedOut, setContactOptOut } from '../queries/contact-queries.js';
import type { InboxProjections } from './inbox-projections.js';
import { type MessageCountDeltas, UPSERT_COUNT_SQL } from './message-count-deltas.js';
import { INSERT_MESSAGE_SQL, MESSAGE_SELECT, type MessageRow, messageParams, rowToMessage } from './message-row.js';
import type { SqlitePlanRunner } from './sqlite-plan-runner.js';
import type { Stmt } from './prepared.js';

export interface SqliteInboundDeps {
  db: Database.Database;
  stmt: Stmt;
  /** Contacts' opt-out state (queries/contact-queries.ts), run inside this transaction. */
  plans: SqlitePlanRunner;
  counts: MessageCountDeltas;
  projections: InboxProjections;
  /** Inside the transaction: queues the `receive` deliveries of a just-stored inbound message. */
  enqueueReceived: (message: Message, now: number) => void;
  /** Inside the transaction: stores an outbound message (the HELP reply) as a send would. */
  acceptOne: (input: AcceptInput) => AcceptResult;
}

/**
 * Inbound messages on SQLite: the message, its keyword's effect on the contact, its `receive`
 * deliveries and any HELP reply commit together, or not at all; what is written is decided by
 * inbound-plan.ts, as on PostgreSQL.
 */
export class SqliteInbound {
  constructor(private readonly deps: SqliteInboundDeps) {}

  async acceptInbound(input: InboundInput): Promise<InboundResult> {
    const { db, stmt, counts, projections } = this.deps;
    return db
      .transaction(() => {
        counts.clear();
        projections.clear();
        const result = this.acceptInTransaction(input);
        counts.flush(stmt(UPSERT_COUNT_SQL));
        projections.flush();
        return result;
      })
      .immediate();
  }

  private acceptInTransaction(input: InboundInput): InboundResult {
    const { stmt, plans, counts } = this.deps;
    const m = input.message;
    const prior = stmt(`${MESSAGE_SELECT} WHERE m.handle = ?`).get(m.handle) as MessageRow | undefined;
    if (prior !== undefined) return { message: rowToMessage(prior), reply: null, duplicate: true };
    if (input.providerMessageId !== undefined) {
      const row = stmt(`${MESSAGE_SELECT} WHERE m.sendblue_number = ? AND m.provider_message_id = ?`).get(
        m.sendblueNumber,
        input.providerMessageId,
      ) as MessageRow | undefined;
      const holder = row === undefined ? undefined : rowToMessage(row);
      if (holder !== undefined && networkIdHolder(holder) === 'duplicate') {
        return { message: holder, reply: null, duplicate: true };
      }
      if (holder !== undefined) stmt('UPDATE messages SET provider_message_id = NULL WHERE id = ?').run(holder.id);
    }
    const plan = planInbound(input, plans.run(isOptedOut, m.accountId, m.number));
    if (plan.optOut !== undefined) {
      plans.run(setContactOptOut, {
        accountId: m.accountId,
        number: m.number,
        optedOut: plan.optOut,
        now: m.createdAt,
      });
    }
    const id = Number(stmt(INSERT_MESSAGE_SQL).run(messageParams({ ...plan.message, statusSeq: 0 })).lastInsertRowid);
    const message: Message = { ...plan.message, id, statusSeq: 0 };
    counts.inserted(message);
    this.deps.projections.inserted(message);
    this.deps.enqueueReceived(message, m.createdAt);
    let reply: Message | null = null;
    if (plan.reply !== undefined) {
      const result = this.deps.acceptOne({ message: plan.reply, queueLimit: Number.MAX_SAFE_INTEGER });
      if (result.kind === 'accepted') reply = result.message;
    }
    return { message, reply, duplicate: false };
  }
}
