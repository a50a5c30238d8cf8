import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Conversations } from '../../messaging/conversations.js';
import { callerOf } from '../auth.js';
import { TimelineParams, TimelineResponse } from '../schemas/conversation-schema.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';
import { toWireDelivery } from './webhook-deliveries.js';

export interface MessageTimelineRouteDeps {
  conversations: Conversations;
}

/** A message's status history and webhook deliveries (Tapback's own). */
export const messageTimelineRoutes: FastifyPluginAsyncTypebox<MessageTimelineRouteDeps> = async (
  app,
  { conversations },
) => {
  app.get(
    '/api/v2/messages/:message_handle/timeline',
    {
      schema: {
        summary: 'Get a message’s timeline',
        description:
          'Every status the message took, oldest first, with when and the error fields it carried, and its webhook ' +
          'deliveries (status callbacks and account webhooks) with their attempts.',
        tags: ['Messages'],
        operationId: 'v2.messages.timeline',
        params: TimelineParams,
        response: { 200: TimelineResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const t = await conversations.timeline(callerOf(request), request.params.message_handle);
      return {
        status: 'OK' as const,
        message_handle: t.message.handle,
        statuses: t.statuses.map((s) => ({
          status: s.status,
          at: new Date(s.at).toISOString(),
          error_code: s.errorCode,
          error_message: s.errorMessage,
        })),
        webhook_deliveries: t.deliveries.map(toWireDelivery),
      };
    },
  );
};
