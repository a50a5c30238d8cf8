import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { errors } from '../domain/errors.js';
import type { MessageQueries } from '../messaging/message-query.js';
import type { SendService } from '../messaging/send-message.js';
import type { AccountsPort } from '../store/ports/accounts-port.js';
import type { LinesPort } from '../store/ports/lines-port.js';
import type { NetworkChatsPort } from '../store/ports/network-chats-port.js';
import type { WebhooksPort } from '../store/ports/webhooks-port.js';
import type { WebhookDeliveryDetailPort } from '../store/ports/webhook-delivery-detail-port.js';
import { authenticator, lineScopeGuard } from './auth.js';
import { AuthFailureThrottle } from './auth-failure-throttle.js';
import type { TokenService } from '../accounts/tokens.js';
import type { CallForwardingService } from '../messaging/call-forwarding.js';
import type { LocationService } from '../messaging/location-sharing.js';
import type { SeatService } from '../messaging/seats.js';
import type { TokensPort } from '../store/ports/tokens-port.js';
import { authTokenRoutes } from './routes/auth-tokens.js';
import { type SessionRouteDeps, sessionLinkRoutes, sessionRoutes } from './routes/session.js';
import { inboxBundleDir, registerInboxAssets } from './inbox-assets.js';
import { callForwardingRoutes } from './routes/call-forwarding.js';
import { locationRoutes } from './routes/location.js';
import { seatRoutes } from './routes/seats.js';
import { frameworkErrorHandler, installErrorHandler } from './error-handler.js';
import { type HttpLimits, httpServerOptions } from './http-limits.js';
import { parseFormBody } from './form-body.js';
import { registerOpenApi } from './openapi-document.js';
import { registerDocsRoute } from './docs-route.js';
import { AddressPolicy } from '../webhooks/ssrf-guard.js';
import { accountWebhookRoutes } from './routes/account-webhooks.js';
import { messageRoutes } from './routes/messages.js';
import { webhookDeliveryRoutes } from './routes/webhook-deliveries.js';
import { type SandboxRouteDeps, sandboxRoutes } from './routes/sandbox.js';
import { sendMessageRoutes } from './routes/send-message.js';
import { ErrorSchema, WireMessageSchema } from './schemas/message-schema.js';
import { closeQueryStrings, validatorCompiler } from './validation.js';
import type { Service } from '../domain/message.js';
import type { GroupService } from '../messaging/groups.js';
import type { MessageWaiter } from '../messaging/message-waiter.js';
import type { OptOutService } from '../messaging/opt-out.js';
import type { ReceiveService } from '../messaging/receive-message.js';
import type { TypingService } from '../messaging/typing.js';
import type { MarkReadService } from '../messaging/mark-read.js';
import { accountSettingsRoutes } from './routes/account-settings.js';
import { contactRoutes } from './routes/contacts.js';
import { verifiedContactRoutes } from './routes/verified-contacts.js';
import type { ContactService } from '../messaging/contacts.js';
import type { VerifiedContactsService } from '../messaging/verified-contacts.js';
import { groupRoutes } from './routes/groups.js';
import { sandboxContactRoutes } from './routes/sandbox-contacts.js';
import { type SandboxResetRouteDeps, sandboxResetRoutes } from './routes/sandbox-reset.js';
import { lineStateRoutes } from './routes/line-state.js';
import { type NetworkWebhookRouteDeps, networkWebhookRoutes } from './routes/network-webhooks.js';
import { type DatabaseInfo, type Readiness, registerReadiness, versionInfo } from './readiness.js';
import { type MetricsDeps, registerMetrics } from './metrics-route.js';
import { registerRequestLog } from './request-log.js';
import { sandboxLine } from '../messaging/validation.js';
import { typingIndicatorRoutes } from './routes/typing-indicators.js';
import { markReadRoutes } from './routes/mark-read.js';
import { conversationRoutes } from './routes/conversations.js';
import { messageSearchRoutes } from './routes/message-search.js';
import { messageTimelineRoutes } from './routes/message-timeline.js';
import type { Conversations } from '../messaging/conversations.js';
import { totpRoutes } from './routes/totp.js';
import { verifyRoutes } from './routes/verify.js';
import type { TotpOperations } from '../messaging/totp.js';
import type { VerifyOperations } from '../messaging/verify.js';
import { type EventRouteDeps, eventRoutes } from './routes/events.js';
import { appCardRoutes } from './routes/app-cards.js';
import { mediaObjectRoutes, mediaServeRoutes } from './routes/media-objects.js';
import { uploadFileRoutes } from './routes/upload-file.js';
import { sendCarouselRoutes } from './routes/send-carousel.js';
import type { AppCardService } from '../messaging/app-cards.js';
import type { CarouselService } from '../messaging/carousel.js';
import type { GroupProfileService } from '../messaging/group-profile.js';
import type { MediaService } from '../messaging/media.js';

export interface AppDeps {
  /** The inbox's conversations, read marks, search and timelines; the routes are absent without it. */
  conversations?: Conversations;
  /** Authentication and webhook management; the use cases hold their own ports. */
  store: AccountsPort &
    LinesPort &
    WebhooksPort &
    WebhookDeliveryDetailPort &
    Pick<TokensPort, 'findAuthToken'> &
    Partial<Pick<NetworkChatsPort, 'listLineEventSources'>>;
  sendService: SendService;
  queries: MessageQueries;
  logger: Logger;
  listRateLimit: { max: number; windowMs: number };
  /** Webhook delivery replays per window per account; 10 per 10 s when absent. */
  replayRateLimit?: { max: number; windowMs: number };
  /** Connection limits and timeouts of the HTTP server; Node's and Fastify's defaults when absent. */
  http?: HttpLimits;
  now: () => number;
  /** Failed authentications a minute per client address before 429 (auth-failure-throttle.ts); off when absent or 0. */
  authFailureLimit?: number;
  advanceClock: SandboxRouteDeps['advanceClock'];
  /** What `/readyz` reports; no `/readyz` without it. */
  readiness?: () => Promise<Readiness>;
  /** `/metrics` and the HTTP latency histogram; neither without it. */
  metrics?: MetricsDeps;
  /** The database `/version` names. */
  database?: DatabaseInfo;
  /** Whether the `/sandbox/*` routes are mounted (TAPBACK_SANDBOX); on when absent. */
  sandboxEnabled?: boolean;
  /** `POST /sandbox/reset` (with the sandbox on); absent without it. */
  sandboxReset?: SandboxResetRouteDeps['reset'];
  version: string;
  /** Webhook management; without it, entries may not point at any private address. */
  webhooks?: { policy: AddressPolicy; onQueued: () => void };
  /** Two-way messaging: inbound messages, groups, opt-out, lookups, typing indicators. */
  twoWay: TwoWayDeps;
  /** Bearer tokens, seats, location sharing and call forwarding; the routes are absent without it. */
  account?: AccountFeatureDeps;
  /** The live account events stream (`GET /api/v2/events`); the route is absent without it. */
  events?: EventRouteDeps;
  /** Media objects, carousels, App Card continuations, group name and photo. */
  media: MediaDeps;
  /** The Contacts API (`/api/v2/contacts`) and verified contacts (`/v3/verified-contacts`). */
  contacts: { records: ContactService; verified: VerifiedContactsService };
  /** Verify (`/api/v2/verify/*`) and TOTP (`/api/v2/totp/*`); the routes are absent without it. */
  verify?: { verify: VerifyOperations; totp: TotpOperations };
  /** Networks' own webhooks (BlueBubbles events), authenticated by a per-line token; absent without it. */
  networkHooks?: NetworkWebhookRouteDeps;
  /** The web inbox's sessions (`/api/session*`, the `tapback_session` cookie); absent: neither. */
  session?: SessionRouteDeps;
}

export interface AccountFeatureDeps {
  tokens: TokenService;
  seats: SeatService;
  location: LocationService;
  callForwarding: CallForwardingService;
}

export interface MediaDeps {
  media: MediaService;
  carousel: CarouselService;
  appCards: AppCardService;
  profile: GroupProfileService;
}

export interface TwoWayDeps {
  receive: ReceiveService;
  groups: GroupService;
  optOut: OptOutService;
  typing: TypingService;
  /** `POST /api/mark-read` (read receipts sent by the account); the route is absent without it. */
  markRead?: MarkReadService;
  waiter: MessageWaiter;
  /** `GET /sandbox/wait` requests per second per account. */
  waitRatePerSecond: number;
  serviceOf: (number: string) => Service;
  /** `GET /api/evaluate-service`: which service reaches a number from the account's lines. */
  lookupService: (accountId: number, number: string) => Promise<Service>;
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
  closeQueryStrings(app);
  installErrorHandler(app);
  registerRequestLog(app);
  if (deps.metrics !== undefined) registerMetrics(app, deps.metrics);
  app.decorateRequest('caller', undefined);
  app.decorateRequest('inboxSession', undefined);
  app.addSchema(WireMessageSchema);
  app.addSchema(ErrorSchema);

  // Bodies are JSON or form-encoded; anything else (text/plain included) is a 415.
  app.removeContentTypeParser('text/plain');
  await app.register(formbody, { bodyLimit: BODY_LIMIT, parser: parseFormBody });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => errors.rateLimited(`${context.max} requests per ${context.after}`),
  });
  await registerOpenApi(app, deps.version);
  await registerDocsRoute(app);
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'OK' }));
  app.get('/version', { schema: { hide: true } }, async () => versionInfo(deps.version, deps.database));
  if (deps.readiness !== undefined) registerReadiness(app, deps.readiness);
  // Unauthenticated: a media URL is handed to networks and recipients; its random id is the permission.
  await app.register(mediaServeRoutes, { media: deps.media.media });
  // Unauthenticated by Tapback's credentials: the per-line token in the path is the permission.
  if (deps.networkHooks !== undefined) await app.register(networkWebhookRoutes, deps.networkHooks);
  // The web inbox's files are public (they hold no data); its sign-in link's code is the permission.
  await registerInboxAssets(app, inboxBundleDir());
  if (deps.session !== undefined) await app.register(sessionLinkRoutes, deps.session);

  await app.register(async (authed) => {
    const throttle = new AuthFailureThrottle(deps.authFailureLimit ?? 0, deps.now);
    authed.addHook('onRequest', authenticator(deps.store, deps.now, throttle, deps.session));
    authed.addHook('preHandler', lineScopeGuard);
    if (deps.session !== undefined) await authed.register(sessionRoutes, deps.session);
    if (deps.account !== undefined) {
      await authed.register(authTokenRoutes, { tokens: deps.account.tokens });
      await authed.register(seatRoutes, { seats: deps.account.seats });
      await authed.register(locationRoutes, { location: deps.account.location });
      await authed.register(callForwardingRoutes, { callForwarding: deps.account.callForwarding });
    }
    await authed.register(sendMessageRoutes, { sendService: deps.sendService });
    await authed.register(messageRoutes, { queries: deps.queries, listRateLimit: deps.listRateLimit });
    if (deps.conversations !== undefined) {
      await authed.register(conversationRoutes, { conversations: deps.conversations });
      await authed.register(messageSearchRoutes, { conversations: deps.conversations });
      await authed.register(messageTimelineRoutes, { conversations: deps.conversations });
    }
    // The sandbox's controls exist only where the sandbox network runs.
    const sandbox = deps.sandboxEnabled !== false;
    if (sandbox) await authed.register(sandboxRoutes, { advanceClock: deps.advanceClock, now: deps.now });
    await authed.register(lineStateRoutes, { store: deps.store, now: deps.now });
    const webhooks = deps.webhooks ?? { policy: new AddressPolicy([]), onQueued: () => undefined };
    await authed.register(accountWebhookRoutes, { store: deps.store, policy: webhooks.policy, now: deps.now });
    await authed.register(webhookDeliveryRoutes, {
      store: deps.store,
      now: deps.now,
      onQueued: webhooks.onQueued,
      replayRateLimit: deps.replayRateLimit ?? { max: 10, windowMs: 10_000 },
    });
    const t = deps.twoWay;
    await authed.register(groupRoutes, { groups: t.groups, profile: deps.media.profile });
    await authed.register(mediaObjectRoutes, { media: deps.media.media });
    await authed.register(uploadFileRoutes, { media: deps.media.media });
    await authed.register(sendCarouselRoutes, { carousel: deps.media.carousel });
    await authed.register(appCardRoutes, { appCards: deps.media.appCards });
    await authed.register(contactRoutes, {
      optOut: t.optOut,
      contacts: deps.contacts.records,
      lookupService: t.lookupService,
    });
    await authed.register(verifiedContactRoutes, { verifiedContacts: deps.contacts.verified });
    await authed.register(typingIndicatorRoutes, { typing: t.typing });
    if (t.markRead !== undefined) await authed.register(markReadRoutes, { markRead: t.markRead });
    if (deps.verify !== undefined) {
      await authed.register(verifyRoutes, { verify: deps.verify.verify });
      await authed.register(totpRoutes, { totp: deps.verify.totp });
    }
    if (deps.events !== undefined) await authed.register(eventRoutes, deps.events);
    if (sandbox && deps.sandboxReset !== undefined) {
      await authed.register(sandboxResetRoutes, { reset: deps.sandboxReset });
    }
    await authed.register(accountSettingsRoutes, { optOut: t.optOut });
    if (sandbox) {
      await authed.register(sandboxContactRoutes, {
        receive: t.receive,
        typing: t.typing,
        waiter: t.waiter,
        waitRatePerSecond: t.waitRatePerSecond,
        requireSandboxLine: async (accountId, raw, field) => {
          await sandboxLine(deps.store, accountId, raw, field);
        },
      });
    }
  });
  return app;
}
