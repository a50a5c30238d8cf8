import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../../domain/errors.js';
import type { AccountResetPort } from '../../store/ports/account-reset-port.js';
import { callerOf } from '../auth.js';
import { ERROR_REF, ERROR_RESPONSES } from '../schemas/message-schema.js';
import { SandboxResetResponseSchema } from '../schemas/sandbox-reset-schema.js';

export interface SandboxResetRouteDeps {
  reset: AccountResetPort['resetAccountData'];
}

/**
 * `POST /sandbox/reset`: a test suite's clean slate. Mounted only with the sandbox on
 * (TAPBACK_SANDBOX), so on a server without it the route does not exist (404).
 */
export const sandboxResetRoutes: FastifyPluginAsyncTypebox<SandboxResetRouteDeps> = async (app, { reset }) => {
  app.post(
    '/sandbox/reset',
    {
      schema: {
        summary: 'Clear the account’s data',
        description:
          'Removes, in one transaction, everything your traffic created: messages (with their queued sends), ' +
          'contacts (saved records and opt-outs), groups, webhook deliveries and their attempts, idempotency keys, ' +
          'uploaded media, Verify verifications and location share requests. Keeps the account, API keys, auth ' +
          'tokens, seats, lines, webhook entries and signing secrets, settings, Verify services and TOTP secrets. ' +
          'Only for accounts whose lines are all sandbox lines: 409 `reset_refused_real_lines` otherwise. Other ' +
          'accounts are untouched.',
        tags: ['Sandbox'],
        operationId: 'sandbox.reset',
        response: { 200: SandboxResetResponseSchema, ...ERROR_RESPONSES, 409: ERROR_REF },
      },
    },
    async (request) => {
      const result = await reset(callerOf(request).accountId);
      if (result.kind === 'refused') throw errors.resetRefusedRealLines(result.line.number, result.line.provider);
      const r = result.removed;
      return {
        status: 'OK' as const,
        removed: {
          messages: r.messages,
          contacts: r.contacts,
          groups: r.groups,
          jobs: r.jobs,
          webhook_deliveries: r.webhookDeliveries,
          webhook_attempts: r.webhookAttempts,
          idempotency_keys: r.idempotencyKeys,
          media: r.media,
          verifications: r.verifications,
          location_shares: r.locationShares,
        },
      };
    },
  );
};
