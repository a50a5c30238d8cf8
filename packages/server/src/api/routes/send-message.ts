import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SendService } from '../../messaging/send-message.js';
import { callerOf } from '../auth.js';
import { requestIdentity } from '../request-identity.js';
import { ERROR_RESPONSES, ERROR_REF, MESSAGE_REF } from '../schemas/message-schema.js';
import { IdempotencyHeadersSchema, SendBodySchema } from '../schemas/send-schema.js';

export interface SendRouteDeps {
  sendService: SendService;
}

export const sendMessageRoutes: FastifyPluginAsyncTypebox<SendRouteDeps> = async (app, { sendService }) => {
  app.post(
    '/api/send-message',
    {
      schema: {
        summary: 'Send a message',
        description:
          'Accepts a message for delivery: 200 with status QUEUED once it is durably stored. ' +
          'A repeated Idempotency-Key replays the first response; so does an official SDK retry ' +
          '(`X-Stainless-Retry-Count` of 1 or more) of an identical send stored within `TAPBACK_RETRY_MATCH_WINDOW_MS`.',
        tags: ['Messages'],
        operationId: 'messages.send',
        body: SendBodySchema,
        headers: IdempotencyHeadersSchema,
        response: { 200: MESSAGE_REF, ...ERROR_RESPONSES, 413: ERROR_REF, 415: ERROR_REF, 422: ERROR_REF },
      },
    },
    async (request, reply) => {
      const outcome = await sendService.send(callerOf(request), request.body, requestIdentity(request));
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      // The body is pre-serialised: a replay must be byte-for-byte the first response.
      return reply.type('application/json; charset=utf-8').send(outcome.body);
    },
  );
};
