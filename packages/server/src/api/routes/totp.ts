import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TotpSecretInfo } from '../../domain/totp-secret.js';
import type { TotpOperations } from '../../messaging/totp.js';
import { callerOf } from '../auth.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';
import {
  TotpCodeResponseSchema,
  TotpOkResponseSchema,
  TotpSecretCreateBodySchema,
  TotpSecretCreateResponseSchema,
  TotpSecretListResponseSchema,
  TotpSecretParamsSchema,
} from '../schemas/totp-schema.js';

export interface TotpRouteDeps {
  totp: TotpOperations;
}

const TAG = ['TOTP'];

/** Stored TOTP secrets and their current codes (the SDK's `v2.totp`). */
export const totpRoutes: FastifyPluginAsyncTypebox<TotpRouteDeps> = async (app, { totp }) => {
  app.post(
    '/api/v2/totp/secrets',
    {
      schema: {
        summary: 'Store a TOTP secret',
        description:
          'From `uri` (an otpauth://totp/ URI) or from `secret` + `label` (+ `issuer`, `algorithm`, `digits`, `period`). ' +
          'The secret is stored encrypted and returned only in this answer.',
        tags: TAG,
        operationId: 'v2.totp.secrets.create',
        body: TotpSecretCreateBodySchema,
        response: { 200: TotpSecretCreateResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const s = await totp.create(callerOf(request), request.body);
      return { status: 'OK' as const, totp_secret: { ...infoToWire(s), secret: s.secret } };
    },
  );

  app.get(
    '/api/v2/totp/secrets',
    {
      schema: {
        summary: 'List TOTP secrets',
        description: 'Oldest first; never the secrets themselves.',
        tags: TAG,
        operationId: 'v2.totp.secrets.list',
        response: { 200: TotpSecretListResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      totp_secrets: (await totp.list(callerOf(request))).map(infoToWire),
    }),
  );

  app.delete(
    '/api/v2/totp/secrets/:id',
    {
      schema: {
        summary: 'Delete a TOTP secret',
        tags: TAG,
        operationId: 'v2.totp.secrets.delete',
        params: TotpSecretParamsSchema,
        response: { 200: TotpOkResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      await totp.remove(callerOf(request), request.params.id);
      return { status: 'OK' as const };
    },
  );

  app.get(
    '/api/v2/totp/code/:id',
    {
      schema: {
        summary: 'Get the current TOTP code',
        description: 'The RFC 6238 code for the server’s current time, and the seconds until it rotates.',
        tags: TAG,
        operationId: 'v2.totp.getCode',
        params: TotpSecretParamsSchema,
        response: { 200: TotpCodeResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { code, expiresIn } = await totp.code(callerOf(request), request.params.id);
      return { status: 'OK' as const, code, expires_in: expiresIn };
    },
  );
};

function infoToWire(s: TotpSecretInfo) {
  return {
    id: s.id,
    label: s.label,
    issuer: s.issuer,
    algorithm: s.algorithm,
    digits: s.digits,
    period: s.period,
    created_at: new Date(s.createdAt).toISOString(),
  };
}
