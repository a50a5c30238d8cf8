import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Service, toWire } from '../../domain/message.js';
import type { Conversations } from '../../messaging/conversations.js';
import { callerOf } from '../auth.js';
import {
  ConversationListQuery,
  ConversationListResponse,
  MarkConversationReadBody,
  MarkConversationReadResponse,
} from '../schemas/conversation-schema.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';

export interface ConversationRouteDeps {
  conversations: Conversations;
}

const TAGS = ['Conversations'];

/** The inbox's conversation list and read marks (Tapback's own; the official SDK has no such methods). */
export const conversationRoutes: FastifyPluginAsyncTypebox<ConversationRouteDeps> = async (app, { conversations }) => {
  app.get(
    '/api/v2/conversations',
    {
      schema: {
        summary: 'List conversations',
        description:
          'The account’s conversations (one per line and contact, or per group), newest last message first, each ' +
          'with its last message and unread count. Paged by cursor: pass `next_cursor` as `before`.',
        tags: TAGS,
        operationId: 'v2.conversations.list',
        querystring: ConversationListQuery,
        response: { 200: ConversationListResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const page = await conversations.list(callerOf(request), request.query);
      return {
        status: 'OK' as const,
        data: page.conversations.map((c) => ({
          conversation_id: c.conversationId,
          sendblue_number: c.line,
          number: c.groupId === '' ? c.number : null,
          group_id: c.groupId === '' ? null : c.groupId,
          participants: c.members ?? [c.number],
          service: c.service as Service,
          last_message: toWire(c.lastMessage),
          unread_count: c.unreadCount,
          last_message_at: new Date(c.lastMessageAt).toISOString(),
        })),
        next_cursor: page.nextCursor,
      };
    },
  );

  app.post(
    '/api/v2/conversations/read',
    {
      schema: {
        summary: 'Mark a conversation read',
        description:
          'Stores the account’s read mark of a conversation (now): its unread count counts only inbound messages ' +
          'after it. Give `number` for a 1:1 conversation or `group_id` for a group. Sends no read receipt (that is ' +
          '`POST /api/mark-read`).',
        tags: TAGS,
        operationId: 'v2.conversations.read',
        body: MarkConversationReadBody,
        response: { 200: MarkConversationReadResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      unread_count: await conversations.markRead(callerOf(request), request.body),
    }),
  );
};
