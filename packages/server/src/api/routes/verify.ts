import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { errors } from '../../domain/errors.js';
import { type Verification, type VerifyService, accountSid, smsDeepLink } from '../../domain/verification.js';
import type { VerifyOperations } from '../../messaging/verify.js';
import { callerOf } from '../auth.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';
import {
  ServiceCreateBodySchema,
  ServiceListQuerySchema,
  ServiceListResponseSchema,
  ServiceParamsSchema,
  ServiceSchema,
  ServiceUpdateBodySchema,
  VerificationCreateBodySchema,
  VerificationListQuerySchema,
  VerificationListResponseSchema,
  VerificationParamsSchema,
  VerificationSchema,
  VerificationUpdateBodySchema,
} from '../schemas/verify-schema.js';

export interface VerifyRouteDeps {
  verify: VerifyOperations;
}

const TAG = ['Verify'];
const SERVICES = '/api/v2/verify/services';

/**
 * Sendblue Verify: services (which the SDK does not cover) and verifications, whose paths and
 * models are the official SDK's `verify.verifications` and `messages.v2.verify.services.verifications`.
 */
export const verifyRoutes: FastifyPluginAsyncTypebox<VerifyRouteDeps> = async (app, { verify }) => {
  app.post(
    SERVICES,
    {
      schema: {
        summary: 'Create a Verify service',
        tags: TAG,
        operationId: 'verify.services.create',
        body: ServiceCreateBodySchema,
        response: { 201: ServiceSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const service = await verify.createService(callerOf(request), request.body);
      return reply.code(201).send(serviceToWire(request, service));
    },
  );

  app.get(
    SERVICES,
    {
      schema: {
        summary: 'List Verify services',
        tags: TAG,
        operationId: 'verify.services.list',
        querystring: ServiceListQuerySchema,
        response: { 200: ServiceListResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const page = await verify.listServices(callerOf(request), request.query);
      return {
        status: 'OK' as const,
        services: page.services.map((s) => serviceToWire(request, s)),
        meta: {
          key: 'services' as const,
          count: page.total,
          limit: page.limit,
          offset: page.offset,
          has_more: page.offset + page.services.length < page.total,
        },
      };
    },
  );

  app.get(
    `${SERVICES}/:service_sid`,
    {
      schema: {
        summary: 'Retrieve a Verify service',
        tags: TAG,
        operationId: 'verify.services.retrieve',
        params: ServiceParamsSchema,
        response: { 200: ServiceSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => serviceToWire(request, await verify.getService(callerOf(request), request.params.service_sid)),
  );

  // Twilio-compatible clients update with POST; PATCH is the same operation.
  for (const method of ['POST', 'PATCH'] as const) {
    app.route({
      method,
      url: `${SERVICES}/:service_sid`,
      schema: {
        summary: 'Update a Verify service',
        description: 'Changes only the fields given; verifications already created keep their code and window.',
        tags: TAG,
        operationId: method === 'POST' ? 'verify.services.update' : 'verify.services.patch',
        params: ServiceParamsSchema,
        body: ServiceUpdateBodySchema,
        response: { 200: ServiceSchema, ...ERROR_RESPONSES },
      },
      handler: async (request) =>
        serviceToWire(
          request,
          await verify.updateService(callerOf(request), request.params.service_sid, request.body ?? {}),
        ),
    });
  }

  app.delete(
    `${SERVICES}/:service_sid`,
    {
      schema: {
        summary: 'Delete a Verify service',
        description: 'Deletes the service and its verifications; 204 with no body.',
        tags: TAG,
        operationId: 'verify.services.delete',
        params: ServiceParamsSchema,
        response: { 204: { type: 'null', description: 'Deleted' }, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await verify.deleteService(callerOf(request), request.params.service_sid);
      return reply.code(204).send(null);
    },
  );

  app.post(
    `${SERVICES}/:service_sid/verifications`,
    {
      schema: {
        summary: 'Create a verification',
        description:
          'The user must text `delivery_target.code` from `to` to `delivery_target.pool_number` (your line) ' +
          'before `expires_at`; the verification is then `approved`.',
        tags: TAG,
        operationId: 'verify.verifications.create',
        'x-sdk-methods': ['messages.v2.verify.services.verifications.create'],
        params: ServiceParamsSchema,
        body: VerificationCreateBodySchema,
        response: { 201: VerificationSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const v = await verify.createVerification(callerOf(request), request.params.service_sid, request.body);
      return reply.code(201).send(verificationToWire(request, v));
    },
  );

  app.get(
    `${SERVICES}/:service_sid/verifications/:verification_sid`,
    {
      schema: {
        summary: 'Retrieve a verification',
        tags: TAG,
        operationId: 'verify.verifications.retrieve',
        'x-sdk-methods': ['messages.v2.verify.services.verifications.retrieve'],
        params: VerificationParamsSchema,
        response: { 200: VerificationSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { service_sid, verification_sid } = request.params;
      return verificationToWire(
        request,
        await verify.getVerification(callerOf(request), service_sid, verification_sid),
      );
    },
  );

  app.post(
    `${SERVICES}/:service_sid/verifications/:verification_sid`,
    {
      schema: {
        summary: 'Cancel a verification',
        description: 'Body `status=canceled` (Twilio’s `Status` also works). Only a pending one can be canceled.',
        tags: TAG,
        operationId: 'verify.verifications.update',
        params: VerificationParamsSchema,
        body: VerificationUpdateBodySchema,
        response: { 200: VerificationSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { service_sid, verification_sid } = request.params;
      const { status, Status } = request.body;
      if ((status ?? Status) === undefined) throw errors.validation('status', 'is required: send status=canceled');
      return verificationToWire(
        request,
        await verify.cancelVerification(callerOf(request), service_sid, verification_sid),
      );
    },
  );

  app.get(
    '/api/v2/verify/verifications',
    {
      schema: {
        summary: 'List verifications',
        description:
          'Every verification of the account, in `date_updated` order (oldest first); `updated_at_gte` keeps those ' +
          'whose status changed at or after it, to recover `verification.*` events missed by the event stream.',
        tags: TAG,
        operationId: 'verify.verifications.list',
        querystring: VerificationListQuerySchema,
        response: { 200: VerificationListResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const page = await verify.listVerifications(callerOf(request), request.query);
      return {
        status: 'OK' as const,
        data: page.verifications.map((v) => {
          const { delivery_target: _omitted, ...state } = verificationToWire(request, v);
          return state;
        }),
        pagination: {
          count: page.total,
          has_more: page.offset + page.verifications.length < page.total,
          limit: page.limit,
          offset: page.offset,
        },
      };
    },
  );
};

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function serviceToWire(request: FastifyRequest, s: VerifyService) {
  return {
    sid: s.sid,
    account_sid: accountSid(s.accountId),
    friendly_name: s.friendlyName,
    code_length: s.codeLength,
    ttl_seconds: s.ttlSeconds,
    use_customer_lines: s.useCustomerLines,
    date_created: new Date(s.createdAt).toISOString(),
    date_updated: new Date(s.updatedAt).toISOString(),
    url: `${baseUrl(request)}${SERVICES}/${s.sid}`,
  };
}

function verificationToWire(request: FastifyRequest, v: Verification) {
  return {
    sid: v.sid,
    service_sid: v.serviceSid,
    account_sid: accountSid(v.accountId),
    to: v.to,
    channel: 'imessage' as const,
    status: v.status,
    date_created: new Date(v.createdAt).toISOString(),
    date_updated: new Date(v.updatedAt).toISOString(),
    date_completed: v.completedAt === null ? null : new Date(v.completedAt).toISOString(),
    expires_at: new Date(v.expiresAt).toISOString(),
    url: `${baseUrl(request)}${SERVICES}/${v.serviceSid}/verifications/${v.sid}`,
    ...(v.status === 'pending'
      ? { delivery_target: { code: v.code, pool_number: v.line, sms_deep_link: smsDeepLink(v.line, v.code) } }
      : {}),
  };
}
