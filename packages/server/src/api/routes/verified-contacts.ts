import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { VerifiedContact } from '../../domain/contact-record.js';
import { iso } from '../../messaging/contacts.js';
import type { VerificationLine, VerifiedContactsService } from '../../messaging/verified-contacts.js';
import { callerOf } from '../auth.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';
import {
  VerifiedContactCreateBodySchema,
  VerifiedContactCreateResponseSchema,
  VerifiedContactListResponseSchema,
  VerifiedContactParamsSchema,
  VerifiedContactRetrieveResponseSchema,
} from '../schemas/verified-contact-schema.js';

export interface VerifiedContactRouteDeps {
  verifiedContacts: VerifiedContactsService;
}

/** `client.verifiedContacts.*`: numbers asked to verify themselves by messaging the account's line. */
export const verifiedContactRoutes: FastifyPluginAsyncTypebox<VerifiedContactRouteDeps> = async (
  app,
  { verifiedContacts },
) => {
  const tags = ['Verified contacts'];
  app.post(
    '/v3/verified-contacts',
    {
      schema: {
        summary: 'Create a pending verified contact',
        description:
          'Creates the ask, or returns the one already made. The contact is verified once the account holds ' +
          'an inbound message from it.',
        tags,
        operationId: 'verifiedContacts.create',
        body: VerifiedContactCreateBodySchema,
        response: { 200: VerifiedContactCreateResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { contact, line } = await verifiedContacts.create(callerOf(request), request.body.phone_number);
      return {
        data: {
          contact: verifiedToWire(contact),
          line: lineToWire(line),
          verification_instructions: contact.verified ? null : instructions(contact.number, line),
        },
      };
    },
  );

  app.get(
    '/v3/verified-contacts',
    {
      schema: {
        summary: 'List verified contacts',
        description: 'Every number asked to verify, oldest ask first.',
        tags,
        operationId: 'verifiedContacts.list',
        response: { 200: VerifiedContactListResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { contacts, line } = await verifiedContacts.list(callerOf(request));
      return { data: { contacts: contacts.map(verifiedToWire), line: lineToWire(line) } };
    },
  );

  app.get(
    '/v3/verified-contacts/:phone_number',
    {
      schema: {
        summary: 'Retrieve a verified contact',
        description: '`contact` is null when no verification was asked for the number.',
        tags,
        operationId: 'verifiedContacts.retrieve',
        params: VerifiedContactParamsSchema,
        response: { 200: VerifiedContactRetrieveResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { contact, line } = await verifiedContacts.retrieve(callerOf(request), request.params.phone_number);
      return { data: { contact: contact === null ? null : verifiedToWire(contact), line: lineToWire(line) } };
    },
  );
};

function verifiedToWire(v: VerifiedContact) {
  return {
    created_at: iso(v.createdAt),
    phone_number: v.number,
    updated_at: iso(v.updatedAt),
    verification_status: v.verified ? ('verified' as const) : ('pending' as const),
    verified: v.verified,
  };
}

function lineToWire(line: VerificationLine | null) {
  return line === null ? null : { phone_number: line.number, type: 'shared' as const };
}

function instructions(number: string, line: VerificationLine | null): string {
  return line?.number == null
    ? `The account has no line yet; once it has one, text any message to it from ${number} to verify.`
    : `Text any message from ${number} to ${line.number} to verify.`;
}
