import { type RawBuilder, sql } from 'kysely';
import type { Message, MessageStatus } from '../../domain/message.js';
import { MESSAGE_FIELD_LIST } from '../../domain/message-fields.js';
import { MESSAGE_SELECT_COLUMNS } from '../message-select.js';
import {
  type Conversation,
  type ConversationKey,
  type ConversationPage,
  type ConversationQuery,
  type MessageSearchQuery,
  type MessageTimeline,
  UNREAD_COUNT_CAP,
} from '../ports/conversations-port.js';
import { flag, fromJson } from './dialect-values.js';
import { type Plan, type QB, all, first, only, run } from './query-plan.js';

/**
 * Conversations, read marks, search and status history (ConversationsPort) for both backends.
 * The conversations, the search index and the status history are kept in the transaction of every
 * message write (PostgreSQL: triggers, migrations 0021 and 0022; SQLite: sqlite/inbox-projections.ts,
 * migration 0025); these plans only read them, and write read marks.
 */

/** A raw query compiled for the plan's dialect. */
function raw<R>(q: QB, query: RawBuilder<R>) {
  return { compile: () => query.compile(q) };
}

/**
 * Inbound messages of conversation `c` after its read mark `r`, counted no further than the cap:
 * each case reads a short range of its partial index (migration 0021), whose terms it repeats.
 */
const UNREAD = sql`CASE WHEN c.group_id = '' THEN (
    SELECT count(*) FROM (SELECT 1 FROM messages u
      WHERE u.account_id = c.account_id AND u.sendblue_number = c.line AND u.number = c.number AND u.group_id = ''
        AND u.is_outbound = ${false} AND u.created_at > coalesce(r.read_at, -1)
      LIMIT ${sql.lit(UNREAD_COUNT_CAP)}) direct_unread)
  ELSE (
    SELECT count(*) FROM (SELECT 1 FROM messages u
      WHERE u.account_id = c.account_id AND u.group_id = c.group_id AND u.group_id <> ''
        AND u.is_outbound = ${false} AND u.created_at > coalesce(r.read_at, -1)
      LIMIT ${sql.lit(UNREAD_COUNT_CAP)}) group_unread)
  END`;

interface ConversationRow extends Record<string, unknown> {
  conv_id: number;
  conv_line: string;
  conv_group_id: string;
  conv_number: string;
  conv_service: string;
  conv_at: number;
  conv_members: string[] | string | null;
  conv_unread: number | string;
}

export function* listConversations(q: QB, accountId: number, query: ConversationQuery): Plan<ConversationPage> {
  const line = query.line === undefined ? sql`` : sql`AND c.line = ${query.line}`;
  const before =
    query.before === undefined ? sql`` : sql`AND (c.last_message_at, c.id) < (${query.before.at}, ${query.before.id})`;
  const rows = yield* all(
    raw(
      q,
      sql<ConversationRow>`SELECT ${sql.raw(MESSAGE_SELECT_COLUMNS)},
          c.id AS conv_id, c.line AS conv_line, c.group_id AS conv_group_id, c.number AS conv_number,
          c.service AS conv_service, c.last_message_at AS conv_at, g.members AS conv_members,
          ${UNREAD} AS conv_unread
        FROM conversations c
        JOIN messages m ON m.id = c.last_message_id
        JOIN accounts a ON a.id = m.account_id
        LEFT JOIN conversation_reads r
          ON r.account_id = c.account_id AND r.line = c.line AND r.group_id = c.group_id AND r.number = c.number
        LEFT JOIN chat_groups g ON g.group_id = c.group_id AND c.group_id <> ''
       WHERE c.account_id = ${accountId} ${line} ${before}
       ORDER BY c.last_message_at DESC, c.id DESC
       LIMIT ${query.limit + 1}`,
    ),
  );
  const conversations = rows.slice(0, query.limit).map(toConversation);
  const last = conversations.at(-1);
  const next = rows.length > query.limit && last !== undefined ? { at: last.lastMessageAt, id: last.rowId } : null;
  return { conversations, next };
}

function toConversation(row: ConversationRow): Conversation {
  return {
    rowId: Number(row.conv_id),
    line: row.conv_line,
    groupId: row.conv_group_id,
    number: row.conv_number,
    service: row.conv_service,
    lastMessageAt: Number(row.conv_at),
    lastMessage: messageOf(row),
    members: row.conv_group_id === '' ? null : row.conv_members === null ? [] : fromJson(row.conv_members),
    unreadCount: Number(row.conv_unread),
  };
}

export function* markConversationRead(
  q: QB,
  accountId: number,
  key: ConversationKey,
  at: number,
): Plan<number | undefined> {
  const conversation = yield* first(
    q
      .selectFrom('conversations')
      .select('id')
      .where('account_id', '=', accountId)
      .where('line', '=', key.line)
      .where('group_id', '=', key.groupId)
      .where('number', '=', key.number),
  );
  if (conversation === undefined) return undefined;
  const mark = { account_id: accountId, line: key.line, group_id: key.groupId, number: key.number, read_at: at };
  yield* run(
    q
      .insertInto('conversation_reads')
      .values(mark)
      .onConflict((oc) => oc.columns(['account_id', 'line', 'group_id', 'number']).doUpdateSet({ read_at: at })),
  );
  const { n } = yield* only(
    raw(
      q,
      sql<{ n: number | string }>`SELECT ${UNREAD} AS n FROM conversations c
        JOIN conversation_reads r
          ON r.account_id = c.account_id AND r.line = c.line AND r.group_id = c.group_id AND r.number = c.number
       WHERE c.id = ${conversation.id}`,
    ),
  );
  return Number(n);
}

export function* searchMessages(q: QB, accountId: number, query: MessageSearchQuery): Plan<Message[]> {
  const search = q.dialectValues.wordSearch(query.words);
  const line = query.line === undefined ? sql`` : sql`AND m.sendblue_number = ${query.line}`;
  const rows = yield* all(
    raw(
      q,
      sql<Record<string, unknown>>`SELECT ${sql.raw(MESSAGE_SELECT_COLUMNS)}
        FROM ${search.from} JOIN accounts a ON a.id = m.account_id
       WHERE ${search.where} AND m.account_id = ${accountId} ${line}
       ORDER BY ${search.newestFirst}
       LIMIT ${query.limit}`,
    ),
  );
  return rows.map(messageOf);
}

export function* messageTimeline(q: QB, accountId: number, handle: string): Plan<MessageTimeline | undefined> {
  const row = yield* first(
    raw(
      q,
      sql<Record<string, unknown>>`SELECT ${sql.raw(MESSAGE_SELECT_COLUMNS)}
        FROM messages m JOIN accounts a ON a.id = m.account_id
       WHERE m.handle = ${handle} AND m.account_id = ${accountId}`,
    ),
  );
  if (row === undefined) return undefined;
  const message = messageOf(row);
  const steps = yield* all(
    q
      .selectFrom('message_status_history')
      .select(['status', 'at', 'error_code', 'error_message'])
      .where('message_id', '=', message.id)
      .orderBy('id'),
  );
  return {
    message,
    statuses: steps.map((s) => ({
      status: s.status as MessageStatus,
      at: Number(s.at),
      errorCode: s.error_code,
      errorMessage: s.error_message,
    })),
  };
}

/** A message from its row as either dialect returns it (booleans 0/1 and JSON text on SQLite). */
function messageOf(row: Record<string, unknown>): Message {
  const message: Record<string, unknown> = {};
  for (const f of MESSAGE_FIELD_LIST) {
    const v = row[f.column];
    if (v === null || v === undefined) message[f.prop] = null;
    else if (f.kind === 'boolean') message[f.prop] = flag(v as boolean | 0 | 1);
    else if (f.kind === 'json') message[f.prop] = fromJson(v);
    else message[f.prop] = v;
  }
  return message as unknown as Message;
}
