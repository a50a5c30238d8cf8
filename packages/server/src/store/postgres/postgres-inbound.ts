import type pg from 'pg';
import type { Message } from '../../domain/message.js';
import { declinedForOptOut } from '../../domain/opt-out.js';
import type { InboundInput, InboundResult } from '../ports/messages-port.js';
import type { NewMessage } from '../../domain/message.js';
import {
  MESSAGE_SELECT,
  type MessageRow,
  insertMessagesParams,
  insertMessagesSql,
  rowToMessage,
} from './message-row.js';
import { postgresContacts } from './postgres-contacts.js';
import { type Db, inTransaction } from './postgres-pool.js';
import type { PostgresWebhooks } from './postgres-webhooks.js';

/**
 * Inbound messages on PostgreSQL (mirrors sqlite-inbound.ts): the message, its keyword's effect
 * on the contact, its `receive` deliveries and any HELP reply (with its send job, whose insert
 * NOTIFYs the workers at commit) in one transaction.
 */
export async function acceptInboundPostgres(
  pool: pg.Pool,
  webhooks: PostgresWebhooks,
  input: InboundInput,
): Promise<InboundResult> {
  return inTransaction(pool, async (c) => {
    const m = input.message;
    const prior = await c.query<MessageRow>(`${MESSAGE_SELECT} WHERE m.handle = $1`, [m.handle]);
    if (prior.rows[0] !== undefined) return { message: rowToMessage(prior.rows[0]), reply: null, duplicate: true };
    const optedOut =
      input.keyword === 'stop' || input.keyword === 'start'
        ? (await postgresContacts.set(c, m.accountId, m.number, input.keyword === 'stop', m.createdAt)).optedOut
        : await postgresContacts.isOptedOut(c, m.accountId, m.number);
    const message = await insertMessage(c, { ...m, optedOut });
    await webhooks.insert(c, await webhooks.receiveDeliveries(c, message, m.createdAt));
    let reply: Message | null = null;
    if (input.helpReply !== undefined) {
      // The reply goes to the same contact of the same account, whose state is known now.
      reply = await insertMessage(c, optedOut ? declinedForOptOut(input.helpReply) : input.helpReply);
      if (reply.status === 'QUEUED') {
        await c.query(`INSERT INTO jobs (kind, message_id, run_at) VALUES ('send', $1, $2)`, [
          reply.id,
          reply.createdAt,
        ]);
      } else {
        await webhooks.insert(c, await webhooks.statusChangeDeliveries(c, [{ message: reply, at: reply.createdAt }]));
      }
    }
    return { message, reply, duplicate: false };
  });
}

async function insertMessage(db: Db, m: NewMessage): Promise<Message> {
  const r = await db.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('messages', 'id'))::bigint AS id`);
  const id = r.rows[0]?.id;
  if (id === undefined) throw new Error('no message id drawn');
  const message: Message = { ...m, id, statusSeq: 0 };
  await db.query(insertMessagesSql(1), insertMessagesParams([message]));
  return message;
}
