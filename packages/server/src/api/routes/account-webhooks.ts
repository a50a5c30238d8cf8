import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type WebhookType, WEBHOOK_TYPES } from '../../domain/webhook.js';
import type { LinesPort } from '../../store/ports/lines-port.js';
import type { WebhooksPort } from '../../store/ports/webhooks-port.js';
import type { WebhookConfig } from '../../domain/webhook-delivery.js';
import type { AddressPolicy } from '../../webhooks/ssrf-guard.js';
import {
  checkEntryCount,
  checkHeaderSecret,
  parseEntries,
  toWireWebhooks,
  type WireEntry,
} from '../../webhooks/webhook-entries.js';
import { callerOf } from '../auth.js';
import { ERROR_RESPONSES } from '../schemas/message-schema.js';
import {
  AddWebhooksBody,
  DeleteWebhooksBody,
  DeleteWebhooksResponse,
  ReplaceWebhooksBody,
  WebhooksResponse,
} from '../schemas/webhook-schema.js';

export interface AccountWebhookRouteDeps {
  store: WebhooksPort & LinesPort;
  policy: AddressPolicy;
  now: () => number;
}

const TAG = ['Webhooks'];

/** Sendblue's webhook management API (`/api/account/webhooks`), per authenticated account. */
export const accountWebhookRoutes: FastifyPluginAsyncTypebox<AccountWebhookRouteDeps> = async (
  app,
  { store, policy, now },
) => {
  const respond = (config: WebhookConfig, message?: string) => ({
    status: 'OK' as const,
    ...(message === undefined ? {} : { message }),
    webhooks: toWireWebhooks(config),
    signing_secret: config.signingSecret,
  });
  const lineSet = async (accountId: number): Promise<Set<string>> =>
    new Set((await store.listLines(accountId)).map((l) => l.number));

  app.get(
    '/api/account/webhooks',
    {
      schema: {
        summary: 'List webhooks',
        description:
          'Every webhook entry by type, the globalSecret, and the account’s Standard Webhooks signing secret.',
        tags: TAG,
        operationId: 'webhooks.list',
        response: { 200: WebhooksResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => respond(await store.getWebhookConfig(callerOf(request).accountId, now())),
  );

  app.post(
    '/api/account/webhooks',
    {
      schema: {
        summary: 'Add webhooks',
        description: 'Appends entries to one type (default `receive`); an entry already present is updated.',
        tags: TAG,
        operationId: 'webhooks.create',
        body: AddWebhooksBody,
        response: { 200: WebhooksResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const type = request.body.type ?? 'receive';
      if (request.body.globalSecret !== undefined) checkHeaderSecret('globalSecret', request.body.globalSecret);
      const endpoints = parseEntries(type, request.body.webhooks as WireEntry[], {
        policy,
        lines: await lineSet(caller.accountId),
        field: 'webhooks',
      });
      const existing = (await store.getWebhookConfig(caller.accountId, now())).endpoints.filter((e) => e.type === type);
      const urls = new Set([...existing.map((e) => e.url), ...endpoints.map((e) => e.url)]);
      checkEntryCount('webhooks', type, urls.size);
      const config = await store.updateWebhookConfig(
        caller.accountId,
        {
          mode: 'append',
          endpoints,
          ...(request.body.globalSecret === undefined ? {} : { globalSecret: request.body.globalSecret }),
        },
        now(),
      );
      return respond(config, 'Webhooks added');
    },
  );

  app.put(
    '/api/account/webhooks',
    {
      schema: {
        summary: 'Replace webhooks',
        description: 'Replaces every entry of every type (types left out become empty) and the globalSecret.',
        tags: TAG,
        operationId: 'webhooks.update',
        body: ReplaceWebhooksBody,
        response: { 200: WebhooksResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const lines = await lineSet(caller.accountId);
      const body = request.body.webhooks;
      if (typeof body.globalSecret === 'string') checkHeaderSecret('webhooks.globalSecret', body.globalSecret);
      const endpoints = WEBHOOK_TYPES.flatMap((type: WebhookType) =>
        parseEntries(type, (body[type] ?? []) as WireEntry[], { policy, lines, field: `webhooks.${type}` }),
      );
      const config = await store.updateWebhookConfig(
        caller.accountId,
        {
          mode: 'replace',
          endpoints,
          globalSecret: body.globalSecret ?? null,
        },
        now(),
      );
      return respond(config, 'Webhooks replaced');
    },
  );

  app.delete(
    '/api/account/webhooks',
    {
      schema: {
        summary: 'Delete webhooks',
        description: 'Removes entries by URL, from one type or from every type. Their undelivered events are dropped.',
        tags: TAG,
        operationId: 'webhooks.delete',
        body: DeleteWebhooksBody,
        response: { 200: DeleteWebhooksResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const removed = await store.removeWebhookEndpoints(caller.accountId, {
        urls: request.body.webhooks,
        ...(request.body.type === undefined ? {} : { type: request.body.type }),
        now: now(),
      });
      return { status: 'OK' as const, message: `${removed} webhook${removed === 1 ? '' : 's'} deleted` };
    },
  );
};
