import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CarouselService } from '../../messaging/carousel.js';
import { callerOf } from '../auth.js';
import { ERROR_REF, ERROR_RESPONSES, MESSAGE_REF } from '../schemas/message-schema.js';
import { CarouselBodySchema } from '../schemas/media-schema.js';
import { requestIdentity } from '../request-identity.js';
import { IdempotencyHeadersSchema } from '../schemas/send-schema.js';

export interface CarouselRouteDeps {
  carousel: CarouselService;
}

export const sendCarouselRoutes: FastifyPluginAsyncTypebox<CarouselRouteDeps> = async (app, { carousel }) => {
  app.post(
    '/api/send-carousel',
    {
      schema: {
        summary: 'Send a carousel of images',
        description:
          'One message (`message_type: "carousel"`, `media_url` the first image) to one recipient, 2-20 image URLs. ' +
          'Stored, delivered and reported like any message; a repeated Idempotency-Key replays the first response, ' +
          'and so does an official SDK retry of a carousel whose response was lost.',
        tags: ['Messages'],
        operationId: 'sendCarousel.send',
        body: CarouselBodySchema,
        headers: IdempotencyHeadersSchema,
        response: { 200: MESSAGE_REF, ...ERROR_RESPONSES, 413: ERROR_REF, 415: ERROR_REF, 422: ERROR_REF },
      },
    },
    async (request, reply) => {
      const outcome = await carousel.send(callerOf(request), request.body, requestIdentity(request));
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.type('application/json; charset=utf-8').send(outcome.body);
    },
  );
};
