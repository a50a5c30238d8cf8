import { errors } from '../domain/errors.js';
import type { Message } from '../domain/message.js';
import { parsePhone } from '../domain/phone.js';
import type { WebhookDeliveryLog } from '../domain/webhook-delivery.js';
import type {
  Conversation,
  ConversationCursor,
  ConversationKey,
  ConversationsPort,
  StatusStep,
} from '../store/ports/conversations-port.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { WebhooksPort } from '../store/ports/webhooks-port.js';
import type { Caller } from './caller.js';

export const DEFAULT_CONVERSATION_LIMIT = 50;
export const MAX_CONVERSATION_LIMIT = 100;
/** The longest search query, in characters. */
export const MAX_SEARCH_LENGTH = 200;
/** A timeline shows at most this many webhook deliveries of its message, newest first. */
const TIMELINE_DELIVERIES = 100;

export interface ConversationDeps {
  store: ConversationsPort & Pick<LinesPort, 'findLine'> & Pick<WebhooksPort, 'listWebhookDeliveries'>;
  now: () => number;
}

export interface ConversationListInput {
  sendblue_number?: string;
  limit?: number;
  before?: string;
}

export interface ConversationListResult {
  conversations: (Conversation & { conversationId: string })[];
  nextCursor: string | null;
}

export interface MarkReadInput {
  sendblue_number: string;
  number?: string;
  group_id?: string;
}

export interface SearchInput {
  q: string;
  sendblue_number?: string;
  limit?: number;
}

export interface TimelineResult {
  message: Message;
  statuses: StatusStep[];
  deliveries: WebhookDeliveryLog[];
}

/**
 * The inbox's reads: the account's conversations with their unread counts, read marks, search
 * and a message's timeline (its statuses and webhook deliveries). Always scoped to the caller's
 * account; a line of another account is not found, like one that does not exist.
 */
export class Conversations {
  constructor(private readonly deps: ConversationDeps) {}

  async list(caller: Caller, input: ConversationListInput): Promise<ConversationListResult> {
    const line =
      input.sendblue_number === undefined
        ? undefined
        : await this.ownLine(caller, input.sendblue_number, 'sendblue_number');
    const before = input.before === undefined ? undefined : decodeCursor(input.before);
    const limit = Math.min(input.limit ?? DEFAULT_CONVERSATION_LIMIT, MAX_CONVERSATION_LIMIT);
    const page = await this.deps.store.listConversations(caller.accountId, {
      limit,
      ...(line === undefined ? {} : { line }),
      ...(before === undefined ? {} : { before }),
    });
    return {
      conversations: page.conversations.map((c) => ({ ...c, conversationId: conversationId(c) })),
      nextCursor: page.next === null ? null : encodeCursor(page.next),
    };
  }

  /** Marks the conversation read now; its unread count after that. */
  async markRead(caller: Caller, input: MarkReadInput): Promise<number> {
    const line = await this.ownLine(caller, input.sendblue_number, 'sendblue_number');
    if ((input.number === undefined) === (input.group_id === undefined)) {
      throw errors.validation('number', 'give either number (a 1:1 conversation) or group_id (a group), not both');
    }
    const key: ConversationKey =
      input.number !== undefined
        ? { line, groupId: '', number: parsePhone(input.number, 'number') }
        : { line, groupId: input.group_id ?? '', number: '' };
    const unread = await this.deps.store.markConversationRead(caller.accountId, key, this.deps.now());
    if (unread === undefined) throw errors.notFound('Conversation');
    return unread;
  }

  async search(caller: Caller, input: SearchInput): Promise<Message[]> {
    if (input.q.trim() === '') throw errors.validation('q', 'must hold at least one word');
    if (input.q.length > MAX_SEARCH_LENGTH)
      throw errors.validation('q', `must be at most ${MAX_SEARCH_LENGTH} characters`);
    const line =
      input.sendblue_number === undefined
        ? undefined
        : await this.ownLine(caller, input.sendblue_number, 'sendblue_number');
    const words = wordsOf(input.q);
    // Only punctuation: no word to look for, so nothing matches.
    if (words.length === 0) return [];
    return this.deps.store.searchMessages(caller.accountId, {
      words,
      limit: Math.min(input.limit ?? DEFAULT_CONVERSATION_LIMIT, MAX_CONVERSATION_LIMIT),
      ...(line === undefined ? {} : { line }),
    });
  }

  async timeline(caller: Caller, handle: string): Promise<TimelineResult> {
    const found = await this.deps.store.messageTimeline(caller.accountId, handle);
    if (found === undefined) throw errors.notFound('Message');
    const { deliveries } = await this.deps.store.listWebhookDeliveries(caller.accountId, {
      messageHandle: handle,
      limit: TIMELINE_DELIVERIES,
      offset: 0,
    });
    return { message: found.message, statuses: found.statuses, deliveries };
  }

  private async ownLine(caller: Caller, raw: string, field: string): Promise<string> {
    const number = parsePhone(raw, field);
    const line = await this.deps.store.findLine(number);
    if (line === undefined || line.accountId !== caller.accountId) throw errors.notFound('Line');
    return number;
  }
}

/**
 * The words of a search, as both databases split text: runs of letters and digits (Unicode), so
 * quotes, brackets and operators are never query syntax. Lowercased; at most 32.
 */
export function wordsOf(q: string): string[] {
  return [...new Set((q.match(/[\p{L}\p{N}]+/gu) ?? []).map((w) => w.toLowerCase()))].slice(0, 32);
}

/** A conversation's stable id: its line and peer, base64url-encoded (opaque to clients). */
export function conversationId(key: ConversationKey): string {
  const peer = key.groupId === '' ? `n:${key.number}` : `g:${key.groupId}`;
  return Buffer.from(`${key.line}|${peer}`).toString('base64url');
}

function encodeCursor(cursor: ConversationCursor): string {
  return Buffer.from(`${cursor.at}.${cursor.id}`).toString('base64url');
}

function decodeCursor(raw: string): ConversationCursor {
  const match = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(raw, 'base64url').toString());
  const at = Number(match?.[1]);
  const id = Number(match?.[2]);
  if (match === null || !Number.isSafeInteger(at) || !Number.isSafeInteger(id)) {
    throw errors.validation('before', 'must be a next_cursor this endpoint returned');
  }
  return { at, id };
}
