import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { errors } from '../../domain/errors.js';
import { toWire } from '../../domain/message.js';
import type { MessageQueries } from '../../messaging/message-query.js';
import { callerOf } from '../auth.js';
import { ERROR_RESPONSES, MESSAGE_REF } from '../schemas/message-schema.js';
import {
  ListQuerySchema,
  ListResponseSchema,
  RetrieveParamsSchema,
  RetrieveResponseSchema,
} from '../schemas/list-schema.js';
import { StatusQuerySchema } from '../schemas/send-schema.js';
import { messageListJson } from '../message-list-json.js';

export interface MessageRouteDeps {
  queries: MessageQueries;
  listRateLimit: { max: number; windowMs: number };
}

export const messageRoutes: FastifyPluginAsyncTypebox<MessageRouteDeps> = async (app, { queries, listRateLimit }) => {
  app.get(
    '/api/status',
    {
      schema: {
        summary: 'Get message status',
        tags: ['Messages'],
        operationId: 'messages.getStatus',
        querystring: StatusQuerySchema,
        response: { 200: MESSAGE_REF, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const handle = request.query.handle ?? request.query.message_handle;
      if (handle === undefined) throw errors.validation('handle', 'is required');
      return toWire(await queries.get(callerOf(request), handle));
    },
  );

  app.get(
    '/api/v2/messages',
    {
      config: {
        rateLimit: {
          max: listRateLimit.max,
          timeWindow: listRateLimit.windowMs,
          hook: 'preHandler',
          keyGenerator: (request) => `account:${callerOf(request).accountId}`,
        },
      },
      schema: {
        summary: 'Get messages',
        description: 'Lists the account’s messages, newest first by default. 100 requests per 10 s per account.',
        tags: ['Messages'],
        operationId: 'messages.list',
        querystring: ListQuerySchema,
        response: { 200: ListResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const page = await queries.listWire(callerOf(request), request.query);
      // The body is already JSON, and exactly what the response schema would serialise (the
      // database renders each message: store/message-wire-sql.ts). Fastify sends a string with a
      // JSON content type as it is; the schema still documents the response in /openapi.json.
      void reply.type('application/json; charset=utf-8');
      return messageListJson(page.messages, {
        total: page.total,
        limit: page.limit,
        offset: page.offset,
        hasMore: page.offset + page.messages.length < page.total,
      }) as unknown as Static<typeof ListResponseSchema>;
    },
  );

  app.get(
    '/api/v2/messages/:message_handle',
    {
      schema: {
        summary: 'Get a specific message',
        tags: ['Messages'],
        operationId: 'messages.retrieve',
        params: RetrieveParamsSchema,
        response: { 200: RetrieveResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      data: toWire(await queries.get(callerOf(request), request.params.message_handle)),
    }),
  );
};
