import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TypingService } from '../../messaging/typing.js';
import { callerOf } from '../auth.js';
import { TypingBodySchema, TypingResponseSchema } from '../schemas/contact-schema.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';
import { IdempotencyHeadersSchema } from '../schemas/send-schema.js';

export interface TypingRouteDeps {
  typing: TypingService;
}

export const typingIndicatorRoutes: FastifyPluginAsyncTypebox<TypingRouteDeps> = async (app, { typing }) => {
  app.post(
    '/api/send-typing-indicator',
    {
      schema: {
        summary: 'Send a typing indicator',
        description:
          'Best effort, as on Sendblue: `SENT` once accepted. Needs an earlier 1:1 message between the line and ' +
          'the number (400 `no_route_mapping` otherwise). It stores nothing and has no effect a retry could ' +
          "repeat, so an `Idempotency-Key` (validated like a send's) or an SDK retry simply gets the same answer.",
        tags: ['Typing indicators'],
        operationId: 'typingIndicators.send',
        body: TypingBodySchema,
        headers: IdempotencyHeadersSchema,
        response: { 200: TypingResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => typing.send(callerOf(request), request.body),
  );
};
