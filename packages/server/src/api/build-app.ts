import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { errors } from '../domain/errors.js';
import type { MessageQueries } from '../messaging/message-query.js';
import type { SendService } from '../messaging/send-message.js';
import type { AccountsPort } from '../store/ports/accounts-port.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { WebhooksPort } from '../store/ports/webhooks-port.js';
import { authenticator } from './auth.js';
import { frameworkErrorHandler, installErrorHandler } from './error-handler.js';
import { type HttpLimits, httpServerOptions } from './http-limits.js';
import { parseFormBody } from './form-body.js';
import { AddressPolicy } from '../webhooks/ssrf-guard.js';
import { accountWebhookRoutes } from './routes/account-webhooks.js';
import { messageRoutes } from './routes/messages.js';
import { webhookDeliveryRoutes } from './routes/webhook-deliveries.js';
import { type SandboxRouteDeps, sandboxRoutes } from './routes/sandbox.js';
import { sendMessageRoutes } from './routes/send-message.js';
import { ErrorSchema, WireMessageSchema } from './schemas/message-schema.js';
import { validatorCompiler } from './validation.js';
import type { Service } from '../domain/message.js';
import type { GroupService } from '../messaging/groups.js';
import type { MessageWaiter } from '../messaging/message-waiter.js';
import type { OptOutService } from '../messaging/opt-out.js';
import type { ReceiveService } from '../messaging/receive-message.js';
import type { TypingService } from '../messaging/typing.js';
import { accountSettingsRoutes } from './routes/account-settings.js';
import { contactRoutes } from './routes/contacts.js';
import { groupRoutes } from './routes/groups.js';
import { sandboxContactRoutes } from './routes/sandbox-contacts.js';
import { typingIndicatorRoutes } from './routes/typing-indicators.js';

export interface AppDeps {
  /** Authentication and webhook management; the use cases hold their own ports. */
  store: AccountsPort & LinesPort & WebhooksPort;
  sendService: SendService;
  queries: MessageQueries;
  logger: Logger;
  listRateLimit: { max: number; windowMs: number };
  /** Webhook delivery replays per window per account; 10 per 10 s when absent. */
  replayRateLimit?: { max: number; windowMs: number };
  /** Connection limits and timeouts of the HTTP server; Node's and Fastify's defaults when absent. */
  http?: HttpLimits;
  now: () => number;
  advanceClock: SandboxRouteDeps['advanceClock'];
  version: string;
  /** Webhook management; without it, entries may not point at any private address. */
  webhooks?: { policy: AddressPolicy; onQueued: () => void };
  /** Two-way messaging: inbound messages, groups, opt-out, lookups, typing indicators. */
  twoWay: TwoWayDeps;
}

export interface TwoWayDeps {
  receive: ReceiveService;
  groups: GroupService;
  optOut: OptOutService;
  typing: TypingService;
  waiter: MessageWaiter;
  /** `GET /sandbox/wait` requests per second per account. */
  waitRatePerSecond: number;
  serviceOf: (number: string) => Service;
}

export const BODY_LIMIT = 1024 * 1024;

/**
 * Builds the HTTP application; never listens (main.ts does), so tests drive it with `inject()`.
 * Route schemas are the single source of request validation, response serialisation and the
 * OpenAPI document at /openapi.json.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request logs cost ~30% of throughput on the hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // While closing, requests already on an open connection are served (with `Connection: close`)
    // rather than answered 503: a SIGTERM must not turn in-flight sends into 5xx.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    frameworkErrors: frameworkErrorHandler,
    ...httpServerOptions(deps.http),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler());
  installErrorHandler(app);
  app.decorateRequest('caller', undefined);
  app.addSchema(WireMessageSchema);
  app.addSchema(ErrorSchema);

  // Bodies are JSON or form-encoded; anything else (text/plain included) is a 415.
  app.removeContentTypeParser('text/plain');
  await app.register(formbody, { bodyLimit: BODY_LIMIT, parser: parseFormBody });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => errors.rateLimited(`${context.max} requests per ${context.after}`),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tapback',
        version: deps.version,
        description: 'Self-hosted messaging server, wire-compatible with the Sendblue Messages API.',
      },
      servers: [{ url: 'http://127.0.0.1:4010' }],
      components: {
        securitySchemes: {
          apiKeyId: { type: 'apiKey', in: 'header', name: 'sb-api-key-id' },
          apiSecretKey: { type: 'apiKey', in: 'header', name: 'sb-api-secret-key' },
        },
      },
      security: [{ apiKeyId: [], apiSecretKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'OK' }));

  await app.register(async (authed) => {
    authed.addHook('onRequest', authenticator(deps.store));
    await authed.register(sendMessageRoutes, { sendService: deps.sendService });
    await authed.register(messageRoutes, { queries: deps.queries, listRateLimit: deps.listRateLimit });
    await authed.register(sandboxRoutes, { advanceClock: deps.advanceClock, now: deps.now });
    const webhooks = deps.webhooks ?? { policy: new AddressPolicy([]), onQueued: () => undefined };
    await authed.register(accountWebhookRoutes, { store: deps.store, policy: webhooks.policy, now: deps.now });
    await authed.register(webhookDeliveryRoutes, {
      store: deps.store,
      now: deps.now,
      onQueued: webhooks.onQueued,
      replayRateLimit: deps.replayRateLimit ?? { max: 10, windowMs: 10_000 },
    });
    const t = deps.twoWay;
    await authed.register(groupRoutes, { groups: t.groups });
    await authed.register(contactRoutes, { optOut: t.optOut, serviceOf: t.serviceOf });
    await authed.register(typingIndicatorRoutes, { typing: t.typing });
    await authed.register(accountSettingsRoutes, { optOut: t.optOut });
    await authed.register(sandboxContactRoutes, {
      receive: t.receive,
      typing: t.typing,
      waiter: t.waiter,
      waitRatePerSecond: t.waitRatePerSecond,
    });
  });
  return app;
}
