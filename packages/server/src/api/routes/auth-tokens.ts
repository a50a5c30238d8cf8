import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TokenService } from '../../accounts/tokens.js';
import { callerOf } from '../auth.js';
import { TokenCreateBodySchema, TokenCreateResponseSchema, TokenParamsSchema } from '../schemas/auth-token-schema.js';
import { ERROR_REF, ERROR_RESPONSES } from '../schemas/message-schema.js';

export interface AuthTokenRouteDeps {
  tokens: TokenService;
}

const TAG = ['Auth'];

/** Temporary bearer tokens, minted and revoked with the account's key pair (docs/auth-and-account.md). */
export const authTokenRoutes: FastifyPluginAsyncTypebox<AuthTokenRouteDeps> = async (app, { tokens }) => {
  app.post(
    '/v3/auth/tokens',
    {
      schema: {
        summary: 'Mint a temporary bearer token',
        description:
          'A token for `Authorization: Bearer <token>`, valid for `expires_in_seconds` (60-3600, default 900), for ' +
          'the whole account or only the lines named. Only a key pair may mint (403 for a bearer token). The token ' +
          'is shown only in this response; Tapback stores its SHA-256 digest.',
        tags: TAG,
        operationId: 'auth.tokens.create',
        body: TokenCreateBodySchema,
        response: { 200: TokenCreateResponseSchema, 403: ERROR_REF, ...ERROR_RESPONSES },
      },
    },
    async (request) => tokens.mint(callerOf(request), request.body ?? {}),
  );

  app.delete(
    '/v3/auth/tokens/:token_id',
    {
      schema: {
        summary: 'Revoke a temporary bearer token',
        description:
          'Every process refuses the token from its next request on. 204 with no body; revoking again is a 204 too. ' +
          'Only a key pair may revoke (403 for a bearer token).',
        tags: TAG,
        operationId: 'auth.tokens.revoke',
        params: TokenParamsSchema,
        response: { 204: { type: 'null', description: 'Revoked' }, 403: ERROR_REF, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await tokens.revoke(callerOf(request), request.params.token_id);
      return reply.code(204).send(null);
    },
  );
};
