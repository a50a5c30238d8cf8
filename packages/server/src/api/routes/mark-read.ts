import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MarkReadService } from '../../messaging/mark-read.js';
import { callerOf } from '../auth.js';
import { MarkReadBodySchema, MarkReadResponseSchema } from '../schemas/mark-read-schema.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';
import { IdempotencyHeadersSchema } from '../schemas/send-schema.js';

export interface MarkReadRouteDeps {
  markRead: MarkReadService;
}

/** Sendblue's `POST /api/mark-read` (not in the official SDK, which has no method for it). */
export const markReadRoutes: FastifyPluginAsyncTypebox<MarkReadRouteDeps> = async (app, { markRead }) => {
  app.post(
    '/api/mark-read',
    {
      schema: {
        summary: 'Send a read receipt',
        description:
          'Marks the 1:1 conversation between `from_number` (one of your lines) and `number` read on the line’s ' +
          'network, so the contact sees a read receipt. Best effort, as on Sendblue: `OK` means the request went to ' +
          'the network. Needs an earlier 1:1 message between them (400 `no_route_mapping`). 400 ' +
          '`read_receipts_unavailable` where the network has none: SMS lines, and iMessage through BlueBubbles ' +
          'without its Private API. Sandbox lines accept it and show it to no one. It stores nothing, so a retry ' +
          'simply asks again.',
        tags: ['Read receipts'],
        operationId: 'readReceipts.send',
        body: MarkReadBodySchema,
        headers: IdempotencyHeadersSchema,
        response: { 200: MarkReadResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => markRead.markRead(callerOf(request), request.body),
  );
};
