import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Service } from '../../domain/message.js';
import { parsePhone } from '../../domain/phone.js';
import type { OptOutService } from '../../messaging/opt-out.js';
import { callerOf } from '../auth.js';
import {
  EvaluateServiceQuerySchema,
  EvaluateServiceResponseSchema,
  OptOutBodySchema,
  OptOutResponseSchema,
} from '../schemas/contact-schema.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';

export interface ContactRouteDeps {
  optOut: OptOutService;
  /** Which network reaches a number (the sandbox table). */
  serviceOf: (number: string) => Service;
}

/** What Tapback knows about a contact: opt-out state and which service reaches it. */
export const contactRoutes: FastifyPluginAsyncTypebox<ContactRouteDeps> = async (app, { optOut, serviceOf }) => {
  app.post(
    '/api/v2/contacts/opt-out',
    {
      schema: {
        summary: 'Opt a contact out (or back in)',
        description:
          'Sends to an opted-out contact are stored as DECLINED with `opted_out: true` and never reach a provider. ' +
          'Inbound STOP/START keywords change the same state.',
        tags: ['Contacts'],
        operationId: 'contacts.optOut',
        body: OptOutBodySchema,
        response: { 200: OptOutResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const contact = await optOut.setOptOut(callerOf(request), request.body);
      return { status: 'OK' as const, number: contact.number, opted_out: contact.optedOut };
    },
  );

  app.get(
    '/api/evaluate-service',
    {
      schema: {
        summary: 'Look up the service of a number',
        description:
          'iMessage, SMS or RCS, per the sandbox network’s table (recipients ending 0001 are SMS, 0002 RCS).',
        tags: ['Lookups'],
        operationId: 'lookups.evaluateService',
        querystring: EvaluateServiceQuerySchema,
        response: { 200: EvaluateServiceResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      callerOf(request);
      const number = parsePhone(request.query.number, 'number');
      return { number, service: serviceOf(number) };
    },
  );
};
