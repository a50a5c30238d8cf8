import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toWire } from '../../domain/message.js';
import type { AppCardService } from '../../messaging/app-cards.js';
import { callerOf } from '../auth.js';
import { ERROR_REF, ERROR_RESPONSES, MESSAGE_REF } from '../schemas/message-schema.js';
import { AppCardUpdateBodySchema, MessageHandleParamsSchema } from '../schemas/media-schema.js';

export interface AppCardRouteDeps {
  appCards: AppCardService;
}

export const appCardRoutes: FastifyPluginAsyncTypebox<AppCardRouteDeps> = async (app, { appCards }) => {
  app.post(
    '/api/messages/:message_handle/update-app-card',
    {
      schema: {
        summary: 'Continue an App Card',
        description:
          'Sends a new message (`message_type: "app_card"`, its own handle and statuses) in the session of the App Card ' +
          '`message_handle`, to the same contact from the same line, with the given fields replaced. ' +
          'A repeated `idempotency_key` for the same card returns the first update.',
        tags: ['Messages'],
        operationId: 'messages.updateAppCard',
        params: MessageHandleParamsSchema,
        body: AppCardUpdateBodySchema,
        response: { 200: MESSAGE_REF, ...ERROR_RESPONSES, 413: ERROR_REF, 415: ERROR_REF },
      },
    },
    async (request) => toWire(await appCards.update(callerOf(request), request.params.message_handle, request.body)),
  );
};
