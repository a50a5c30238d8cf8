import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CallForwardingService } from '../../messaging/call-forwarding.js';
import { callerOf } from '../auth.js';
import {
  CallForwardingBodySchema,
  CallForwardingParamsSchema,
  CallForwardingResponseSchema,
} from '../schemas/call-forwarding-schema.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';

export interface CallForwardingRouteDeps {
  callForwarding: CallForwardingService;
}

const TAG = ['Lines'];
const PATH = '/api/lines/:sendblue_number/call-forwarding';
const NOT_A_LINE = 'A number that is not one of the account’s lines (another account’s included) is a 404.';

/** Where inbound calls to each of the account's lines are forwarded. */
export const callForwardingRoutes: FastifyPluginAsyncTypebox<CallForwardingRouteDeps> = async (
  app,
  { callForwarding },
) => {
  app.get(
    PATH,
    {
      schema: {
        summary: 'Get a line’s call forwarding',
        description: `\`forwarding_number\` is null when none is set. ${NOT_A_LINE}`,
        tags: TAG,
        operationId: 'lines.callForwarding.retrieve',
        params: CallForwardingParamsSchema,
        response: { 200: CallForwardingResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => callForwarding.get(callerOf(request), request.params.sendblue_number),
  );

  app.put(
    PATH,
    {
      schema: {
        summary: 'Set a line’s call forwarding',
        description: `E.164, or a US number in local form, stored as E.164. ${NOT_A_LINE}`,
        tags: TAG,
        operationId: 'lines.callForwarding.update',
        params: CallForwardingParamsSchema,
        body: CallForwardingBodySchema,
        response: { 200: CallForwardingResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      callForwarding.set(callerOf(request), request.params.sendblue_number, request.body.forwarding_number),
  );

  app.delete(
    PATH,
    {
      schema: {
        summary: 'Clear a line’s call forwarding',
        description: `Idempotent: answers \`forwarding_number: null\` whether or not one was set. ${NOT_A_LINE}`,
        tags: TAG,
        operationId: 'lines.callForwarding.delete',
        params: CallForwardingParamsSchema,
        response: { 200: CallForwardingResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => callForwarding.clear(callerOf(request), request.params.sendblue_number),
  );
};
