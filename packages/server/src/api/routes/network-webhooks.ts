import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../../domain/errors.js';
import type { BlueBubblesHooks } from '../../delivery/providers/bluebubbles/bluebubbles-hook-intake.js';
import { BLUEBUBBLES_HOOK_PATH } from '../../delivery/providers/bluebubbles/bluebubbles-webhook-token.js';
import { ERROR_REF } from '../schemas/message-schema.js';
import {
  BlueBubblesEventSchema,
  NetworkHookParamsSchema,
  NetworkHookQuerySchema,
  NetworkHookResponseSchema,
} from '../schemas/network-webhook-schema.js';

export interface NetworkWebhookRouteDeps {
  bluebubbles: Pick<BlueBubblesHooks, 'handle'>;
}

/**
 * Networks calling Tapback back (no Tapback credentials: the per-line token in the path is the
 * authentication). `POST /network-hooks/bluebubbles/<token>` takes a BlueBubbles Server event for
 * the line the token names; any other token is a 404 and nothing is applied.
 */
export const networkWebhookRoutes: FastifyPluginAsyncTypebox<NetworkWebhookRouteDeps> = async (app, deps) => {
  app.post(
    `${BLUEBUBBLES_HOOK_PATH}/:token`,
    {
      schema: {
        summary: 'BlueBubbles event intake',
        description:
          'Where a BlueBubbles Server delivers a line’s events (registered by Tapback). The token is the line’s secret; ' +
          '`line` (the line’s number) is informational.',
        tags: ['Networks'],
        operationId: 'networkHooks.bluebubbles',
        params: NetworkHookParamsSchema,
        querystring: NetworkHookQuerySchema,
        body: BlueBubblesEventSchema,
        response: { 200: NetworkHookResponseSchema, 400: ERROR_REF, 404: ERROR_REF },
      },
    },
    async (request) => {
      const result = await deps.bluebubbles.handle(request.params.token, request.body);
      if (result === 'unknown_token') throw errors.notFound('Network webhook');
      return { status: 'OK' as const };
    },
  );
};
