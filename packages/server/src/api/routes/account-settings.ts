import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { OptOutService } from '../../messaging/opt-out.js';
import { callerOf } from '../auth.js';
import { SettingsBodySchema, SettingsResponseSchema } from '../schemas/contact-schema.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';

export interface AccountSettingsRouteDeps {
  optOut: OptOutService;
}

/** Account settings: the reply inbound HELP and INFO get. */
export const accountSettingsRoutes: FastifyPluginAsyncTypebox<AccountSettingsRouteDeps> = async (app, { optOut }) => {
  const respond = (s: { helpReply: string; isDefault: boolean }) => ({
    status: 'OK' as const,
    help_reply: s.helpReply,
    help_reply_is_default: s.isDefault,
  });

  app.get(
    '/api/account/settings',
    {
      schema: {
        summary: 'Get account settings',
        tags: ['Account'],
        operationId: 'account.settings.get',
        response: { 200: SettingsResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => respond(await optOut.helpReply(callerOf(request))),
  );

  app.put(
    '/api/account/settings',
    {
      schema: {
        summary: 'Update account settings',
        description: '`help_reply`: what inbound HELP and INFO get; null or empty restores the default.',
        tags: ['Account'],
        operationId: 'account.settings.update',
        body: SettingsBodySchema,
        response: { 200: SettingsResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => respond(await optOut.setHelpReply(callerOf(request), request.body.help_reply)),
  );
};
