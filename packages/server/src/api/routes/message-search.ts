import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toWire } from '../../domain/message.js';
import type { Conversations } from '../../messaging/conversations.js';
import { callerOf } from '../auth.js';
import { MessageSearchQuery, MessageSearchResponse } from '../schemas/conversation-schema.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';

export interface MessageSearchRouteDeps {
  conversations: Conversations;
}

/** Full-text search of the account's messages (Tapback's own). */
export const messageSearchRoutes: FastifyPluginAsyncTypebox<MessageSearchRouteDeps> = async (
  app,
  { conversations },
) => {
  app.get(
    '/api/v2/messages/search',
    {
      schema: {
        summary: 'Search messages',
        description:
          'The account’s messages whose content holds every word of `q` (letters and digits; case, punctuation and ' +
          'operators ignored), newest first.',
        tags: ['Messages'],
        operationId: 'v2.messages.search',
        querystring: MessageSearchQuery,
        response: { 200: MessageSearchResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      data: (await conversations.search(callerOf(request), request.query)).map(toWire),
    }),
  );
};
