import type pg from 'pg';
import type { Message, NewMessage } from '../../domain/message.js';
import { networkIdHolder, planInbound } from '../inbound-plan.js';
import type { InboundInput, InboundResult } from '../ports/messages-port.js';
import { isOptedOut, setContactOptOut } from '../queries/contact-queries.js';
import {
  MESSAGE_SELECT,
  type MessageRow,
  insertMessagesParams,
  insertMessagesSql,
  rowToMessage,
} from './message-row.js';
import { runPlan } from './postgres-plan-runner.js';
import { lockNetworkIds } from './postgres-receipts.js';
import { type Db, inTransaction } from './postgres-connection.js';
import type { PostgresWebhookOutbox } from './postgres-webhook-outbox.js';

/**
 * Inbound messages on PostgreSQL: the message, its keyword's effect on the contact, its `receive`
 * deliveries and any HELP reply (with its send job, whose insert NOTIFYs the workers at commit) in
 * one transaction; what is written is decided by inbound-plan.ts, as on SQLite.
 */
export class PostgresInbound {
  constructor(
    private readonly pool: pg.Pool,
    private readonly webhooks: PostgresWebhookOutbox,
  ) {}

  acceptInbound(input: InboundInput): Promise<InboundResult> {
    return inTransaction(this.pool, async (c) => {
      const m = input.message;
      const prior = await c.query<MessageRow>(`${MESSAGE_SELECT} WHERE m.handle = $1`, [m.handle]);
      if (prior.rows[0] !== undefined) return { message: rowToMessage(prior.rows[0]), reply: null, duplicate: true };
      if (input.providerMessageId !== undefined) {
        // Two deliveries of one message at once: the second waits here, then finds the first.
        await lockNetworkIds(c, [input.providerMessageId]);
        const row = await c.query<MessageRow>(
          `${MESSAGE_SELECT} WHERE m.sendblue_number = $1 AND m.provider_message_id = $2`,
          [m.sendblueNumber, input.providerMessageId],
        );
        const holder = row.rows[0] === undefined ? undefined : rowToMessage(row.rows[0]);
        if (holder !== undefined && networkIdHolder(holder) === 'duplicate') {
          return { message: holder, reply: null, duplicate: true };
        }
        if (holder !== undefined) {
          await c.query('UPDATE messages SET provider_message_id = NULL WHERE id = $1', [holder.id]);
        }
      }
      const plan = planInbound(input, await runPlan(c, isOptedOut, m.accountId, m.number));
      if (plan.optOut !== undefined) {
        await runPlan(c, setContactOptOut, {
          accountId: m.accountId,
          number: m.number,
          optedOut: plan.optOut,
          now: m.createdAt,
        });
      }
      const message = await insertMessage(c, plan.message);
      await this.webhooks.insert(c, await this.webhooks.receiveDeliveries(c, message, m.createdAt));
      let reply: Message | null = null;
      if (plan.reply !== undefined) {
        reply = await insertMessage(c, plan.reply);
        if (reply.status === 'QUEUED') {
          await c.query(`INSERT INTO jobs (kind, message_id, run_at) VALUES ('send', $1, $2)`, [
            reply.id,
            reply.createdAt,
          ]);
        } else {
          const deliveries = await this.webhooks.statusChangeDeliveries(c, [{ message: reply, at: reply.createdAt }]);
          await this.webhooks.insert(c, deliveries);
        }
      }
      return { message, reply, duplicate: false };
    });
  }
}

async function insertMessage(db: Db, m: NewMessage): Promise<Message> {
  const r = await db.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('messages', 'id'))::bigint AS id`);
  const id = r.rows[0]?.id;
  if (id === undefined) throw new Error('no message id drawn');
  const message: Message = { ...m, id, statusSeq: 0 };
  await db.query(insertMessagesSql(1), insertMessagesParams([message]));
  return message;
}
