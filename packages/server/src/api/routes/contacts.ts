import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Service } from '../../domain/message.js';
import { parsePhone } from '../../domain/phone.js';
import { contactToWire } from '../../domain/contact-record.js';
import type { ContactService } from '../../messaging/contacts.js';
import type { OptOutService } from '../../messaging/opt-out.js';
import { callerOf } from '../auth.js';
import {
  BulkCreateBodySchema,
  BulkCreateResponseSchema,
  BulkDeleteBodySchema,
  BulkDeleteResponseSchema,
  ContactCountResponseSchema,
  ContactCreateBodySchema,
  ContactListQuerySchema,
  ContactListResponseSchema,
  ContactParamsSchema,
  ContactResponseSchema,
  ContactUpdateBodySchema,
  StatusOkSchema,
  VerifyBodySchema,
  EvaluateServiceQuerySchema,
  EvaluateServiceResponseSchema,
  OptOutBodySchema,
  OptOutResponseSchema,
} from '../schemas/contact-schema.js';
import { ERROR_REF, ERROR_RESPONSES } from '../schemas/message-schema.js';

export interface ContactRouteDeps {
  optOut: OptOutService;
  contacts: ContactService;
  /** Which service reaches a number from the account's lines (their providers' lookups). */
  lookupService: (accountId: number, number: string) => Promise<Service>;
}

/** What Tapback knows about a contact: its record, opt-out state and which service reaches it. */
export const contactRoutes: FastifyPluginAsyncTypebox<ContactRouteDeps> = async (
  app,
  { optOut, contacts, lookupService },
) => {
  await app.register(contactRecordRoutes, { contacts });

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
        operationId: 'lookups.lookupNumber',
        querystring: EvaluateServiceQuerySchema,
        response: { 200: EvaluateServiceResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { accountId } = callerOf(request);
      const number = parsePhone(request.query.number, 'number');
      return { number, service: await lookupService(accountId, number) };
    },
  );
};

/** The Contacts API (`client.contacts.*`): contacts as records the account keeps. */
const contactRecordRoutes: FastifyPluginAsyncTypebox<{ contacts: ContactService }> = async (app, { contacts }) => {
  const tags = ['Contacts'];
  app.post(
    '/api/v2/contacts',
    {
      schema: {
        summary: 'Create a contact',
        description:
          'A number already saved is a 409 `contact_exists`, unless `update_if_exists` is true. ' +
          'Publishes `contact.created`.',
        tags,
        operationId: 'contacts.create',
        body: ContactCreateBodySchema,
        response: { 200: ContactResponseSchema, ...ERROR_RESPONSES, 409: ERROR_REF },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      contact: contactToWire(await contacts.create(callerOf(request), request.body)),
    }),
  );

  app.get(
    '/api/v2/contacts',
    {
      schema: {
        summary: 'List contacts',
        description: 'Newest first by default. The exact number of matches is in the `x-total-count` header.',
        tags,
        operationId: 'contacts.list',
        querystring: ContactListQuerySchema,
        response: { 200: ContactListResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { contacts: page, total } = await contacts.list(callerOf(request), request.query);
      void reply.header('x-total-count', String(total));
      return page.map(contactToWire);
    },
  );

  app.get(
    '/api/v2/contacts/count',
    {
      schema: {
        summary: 'Count contacts',
        tags,
        operationId: 'contacts.count',
        response: { 200: ContactCountResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ count: await contacts.count(callerOf(request)) }),
  );

  app.get(
    '/api/v2/contacts/:phone_number',
    {
      schema: {
        summary: 'Retrieve a contact',
        tags,
        operationId: 'contacts.retrieve',
        params: ContactParamsSchema,
        response: { 200: ContactResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      contact: contactToWire(await contacts.retrieve(callerOf(request), request.params.phone_number)),
    }),
  );

  app.put(
    '/api/v2/contacts/:phone_number',
    {
      schema: {
        summary: 'Update a contact',
        description: 'Custom variables are merged; `opt_out` is the same state as STOP/START and the opt-out API.',
        tags,
        operationId: 'contacts.update',
        params: ContactParamsSchema,
        body: ContactUpdateBodySchema,
        response: { 200: ContactResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      contact: contactToWire(await contacts.update(callerOf(request), request.params.phone_number, request.body)),
    }),
  );

  app.delete(
    '/api/v2/contacts/:phone_number',
    {
      schema: {
        summary: 'Delete a contact',
        description: 'The contact’s opt-out state stays: a deleted contact that opted out is still opted out.',
        tags,
        operationId: 'contacts.delete',
        params: ContactParamsSchema,
        response: { 200: StatusOkSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      await contacts.delete(callerOf(request), request.params.phone_number);
      return { status: 'OK' as const };
    },
  );

  app.post(
    '/api/v2/contacts/bulk',
    {
      schema: {
        summary: 'Create contacts in bulk',
        description: 'Idempotent per number: a number already saved is updated with the entry’s fields.',
        tags,
        operationId: 'contacts.bulk.create',
        body: BulkCreateBodySchema,
        response: { 200: BulkCreateResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      contacts: (await contacts.bulkCreate(callerOf(request), request.body.contacts)).map(contactToWire),
    }),
  );

  app.delete(
    '/api/v2/contacts',
    {
      schema: {
        summary: 'Delete contacts in bulk',
        description: 'By phone number or `contact_id`; `amount` counts the contacts actually deleted.',
        tags,
        operationId: 'contacts.bulk.delete',
        body: BulkDeleteBodySchema,
        response: { 200: BulkDeleteResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      amount: await contacts.bulkDelete(callerOf(request), request.body.contact_ids),
    }),
  );

  app.post(
    '/api/v2/contacts/verify',
    {
      schema: {
        summary: 'Send a verification message to a contact',
        description:
          'Records the ask (listed by the verified contacts API) and, unless the number is verified already, ' +
          'sends it a message asking for a reply; any inbound message from the number verifies it.',
        tags,
        operationId: 'contacts.verify',
        body: VerifyBodySchema,
        response: { 200: StatusOkSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      await contacts.verify(callerOf(request), request.body.number);
      return { status: 'OK' as const };
    },
  );
};
