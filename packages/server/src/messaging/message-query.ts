import { errors } from '../domain/errors.js';
import { type Message, type MessageStatus, type MessageType, type Service } from '../domain/message.js';
import type { MessageQuery, OrderBy } from '../domain/message-query.js';
import type { MessagesPort } from '../store/ports/messages-port.js';
import type { Caller } from './caller.js';

export const MAX_LIST_LIMIT = 100;

/** Query parameters of GET /api/v2/messages after schema validation. */
export interface ListInput {
  limit?: number;
  offset?: number;
  order_by?: string;
  order_direction?: 'asc' | 'desc';
  status?: MessageStatus;
  service?: Service;
  is_outbound?: 'true' | 'false';
  message_type?: MessageType;
  number?: string;
  from_number?: string;
  to_number?: string;
  sendblue_number?: string;
  group_id?: string;
  account_email?: string;
  worker_id?: string;
  created_at_gte?: string;
  created_at_lte?: string;
  sent_at_gte?: string;
  sent_at_lte?: string;
  updated_at_gte?: string;
  updated_at_lte?: string;
}

const ORDER_BY: Record<string, OrderBy> = {
  createdAt: 'createdAt',
  created_at: 'createdAt',
  updatedAt: 'updatedAt',
  updated_at: 'updatedAt',
  sentAt: 'sentAt',
  sent_at: 'sentAt',
};

/** Reads of the message history, always scoped to the caller's account. */
export class MessageQueries {
  constructor(private readonly store: MessagesPort) {}

  async get(caller: Caller, handle: string): Promise<Message> {
    const message = await this.store.getMessage(caller.accountId, handle);
    if (message === undefined) throw errors.notFound('Message');
    return message;
  }

  /**
   * A page of the caller's messages and the total it was chosen from, each message as its wire JSON
   * text (the database renders it: store/message-wire-sql.ts).
   */
  async listWire(caller: Caller, input: ListInput): Promise<WireListResult> {
    const query = listQuery(caller, input);
    if (query.matchesNothing) return { messages: [], total: 0, limit: query.limit, offset: query.offset };
    const { messages, total } = await this.store.listMessagesWire(caller.accountId, query.query);
    return { messages, total, limit: query.limit, offset: query.offset };
  }
}

export interface WireListResult {
  /** Each message's wire JSON. */
  messages: string[];
  total: number;
  limit: number;
  offset: number;
}

type ListQuery = { limit: number; offset: number } & (
  { matchesNothing: true } | { matchesNothing: false; query: MessageQuery }
);

function listQuery(caller: Caller, input: ListInput): ListQuery {
  const limit = Math.min(input.limit ?? MAX_LIST_LIMIT, MAX_LIST_LIMIT);
  const offset = input.offset ?? 0;
  if (input.worker_id !== undefined) {
    throw errors.validation('worker_id', 'is an admin-only filter and is not supported');
  }
  // Filtering by another account's email can only ever match nothing.
  if (input.account_email !== undefined && input.account_email.toLowerCase() !== caller.email.toLowerCase()) {
    return { limit, offset, matchesNothing: true };
  }
  const query: MessageQuery = {
    limit,
    offset,
    orderBy: ORDER_BY[input.order_by ?? 'createdAt'] ?? 'createdAt',
    orderDirection: input.order_direction ?? 'desc',
  };
  if (input.status !== undefined) query.status = input.status;
  if (input.service !== undefined) query.service = input.service;
  if (input.is_outbound !== undefined) query.isOutbound = input.is_outbound === 'true';
  if (input.message_type !== undefined) query.messageType = input.message_type;
  if (input.number !== undefined) query.number = input.number;
  if (input.from_number !== undefined) query.fromNumber = input.from_number;
  if (input.to_number !== undefined) query.toNumber = input.to_number;
  if (input.sendblue_number !== undefined) query.sendblueNumber = input.sendblue_number;
  if (input.group_id !== undefined) query.groupId = input.group_id;
  const dates = [
    ['created_at_gte', 'createdAtGte'],
    ['created_at_lte', 'createdAtLte'],
    ['sent_at_gte', 'sentAtGte'],
    ['sent_at_lte', 'sentAtLte'],
    ['updated_at_gte', 'updatedAtGte'],
    ['updated_at_lte', 'updatedAtLte'],
  ] as const;
  for (const [param, key] of dates) {
    const raw = input[param];
    if (raw !== undefined) query[key] = parseDate(raw, param);
  }
  return { limit, offset, matchesNothing: false, query };
}

function parseDate(raw: string, field: string): number {
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(ms)) {
    throw errors.validation(field, 'must be an ISO-8601 date-time');
  }
  return ms;
}
