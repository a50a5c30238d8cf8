import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SeatService } from '../../messaging/seats.js';
import { callerOf } from '../auth.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';
import {
  SeatCountQuerySchema,
  SeatCountResponseSchema,
  SeatListQuerySchema,
  SeatListResponseSchema,
  SeatParamsSchema,
  SeatResponseSchema,
} from '../schemas/seat-schema.js';

export interface SeatRouteDeps {
  seats: SeatService;
}

const TAG = ['Seats'];

/** The people (users) of the account, read-only; every account has its owner's seat. */
export const seatRoutes: FastifyPluginAsyncTypebox<SeatRouteDeps> = async (app, { seats }) => {
  app.get(
    '/api/v2/seats',
    {
      schema: {
        summary: 'List seats',
        description: 'Oldest first; `email` matches exactly. A bare JSON array, as on Sendblue.',
        tags: TAG,
        operationId: 'v2.seats.list',
        querystring: SeatListQuerySchema,
        response: { 200: SeatListResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => seats.list(callerOf(request), request.query),
  );

  app.get(
    '/api/v2/seats/count',
    {
      schema: {
        summary: 'Count seats',
        tags: TAG,
        operationId: 'v2.seats.count',
        querystring: SeatCountQuerySchema,
        response: { 200: SeatCountResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => seats.count(callerOf(request), request.query),
  );

  app.get(
    '/api/v2/seats/:seat_id',
    {
      schema: {
        summary: 'Retrieve a seat',
        description: 'By `seat_id` or by the seat’s auth subject; another account’s seat is a 404.',
        tags: TAG,
        operationId: 'v2.seats.retrieve',
        params: SeatParamsSchema,
        response: { 200: SeatResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => seats.retrieve(callerOf(request), request.params.seat_id),
  );
};
