import type { FastifyInstance } from 'fastify';
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import { BOOTSTRAP_EMAIL, type BootstrapInput, type BootstrapResult, bootstrap } from './accounts/bootstrap.js';
import { buildApp } from './api/build-app.js';
import { buildHealthApp } from './api/health-app.js';
import { type Readiness, countLines } from './api/readiness.js';
import type { Config } from './config/config.js';
import { VERSION } from './version.js';
import { ConfigError, databaseLocation } from './config/config.js';
import { type Clock, ManualClock, SystemClock } from './domain/clock.js';
import { MessageEvents } from './delivery/message-events.js';
import { LineCapabilities } from './delivery/line-capabilities.js';
import { LookupCache } from './delivery/lookup-cache.js';
import { Router } from './delivery/router.js';
import { NetworkIntake } from './delivery/network-intake.js';
import { ProviderHost } from './delivery/provider-host.js';
import type { ProviderFactory } from './delivery/providers/provider.js';
import { sandboxProviderFactory } from './delivery/providers/sandbox/sandbox-provider.js';
import { smppProviderFactory } from './delivery/providers/smpp/smpp-settings.js';
import { bluebubblesProviderFactory } from './delivery/providers/bluebubbles/bluebubbles-settings.js';
import { blueBubblesEvents, blueBubblesGroupChats } from './delivery/providers/bluebubbles/bluebubbles-event-source.js';
import { BlueBubblesHooks } from './delivery/providers/bluebubbles/bluebubbles-hook-intake.js';
import { NetworkGroups } from './messaging/network-groups.js';
import { NetworkMedia } from './messaging/network-media.js';
import { advanceTime } from './delivery/time-travel.js';
import { Worker } from './delivery/worker.js';
import { MessageQueries } from './messaging/message-query.js';
import { SendService } from './messaging/send-message.js';
import { sandboxRuleFor } from './delivery/providers/sandbox/sandbox-behaviour.js';
import { GroupService } from './messaging/groups.js';
import { MessageWaiter } from './messaging/message-waiter.js';
import type { Message } from './domain/message.js';
import { OptOutService } from './messaging/opt-out.js';
import { ContactService } from './messaging/contacts.js';
import { VerifiedContactsService } from './messaging/verified-contacts.js';
import { ReceiveService } from './messaging/receive-message.js';
import { TotpOperations } from './messaging/totp.js';
import { VerificationExpiry } from './messaging/verification-expiry.js';
import { VerifyOperations } from './messaging/verify.js';
import { RetentionPruner } from './messaging/retention-pruner.js';
import { TypingService } from './messaging/typing.js';
import { MarkReadService } from './messaging/mark-read.js';
import { Conversations } from './messaging/conversations.js';
import { AccountEventHub } from './messaging/account-events.js';
import { openStore as openStoreAt } from './store/open-store.js';
import type { Store } from './store/store.js';
import { Dispatcher } from './webhooks/dispatcher.js';
import { HttpSender } from './webhooks/http-sender.js';
import { AddressPolicy } from './webhooks/ssrf-guard.js';
import { GuardedMediaFetcher } from './webhooks/media-fetcher.js';
import { AppCardService } from './messaging/app-cards.js';
import { CarouselService } from './messaging/carousel.js';
import { GroupProfileService } from './messaging/group-profile.js';
import { MediaService } from './messaging/media.js';
import { TokenService } from './accounts/tokens.js';
import { SignInSessions } from './accounts/sign-in-sessions.js';
import { SignInLinks, signInUrl } from './accounts/sign-in-links.js';
import { CallForwardingService } from './messaging/call-forwarding.js';
import { LocationService } from './messaging/location-sharing.js';
import { SeatService } from './messaging/seats.js';
import { ServerMetrics } from './api/metrics.js';
import { MessageMetrics, observedSender } from './api/metrics-observers.js';
import { metricsAccess } from './api/metrics-route.js';
import { migrationsApplied, shippedMigrationLevel } from './store/shipped-migrations.js';
import { timedStore } from './store/timed-store.js';

export { VERSION } from './version.js';

/** How often a delivering process looks for rows past their retention (TAPBACK_RETENTION_DAYS). */
const RETENTION_INTERVAL_MS = 10 * 60_000;

export interface Server {
  app: FastifyInstance;
  store: Store;
  worker: Worker;
  /** Delivers status callbacks and account webhooks from the outbox. */
  dispatcher: Dispatcher;
  events: MessageEvents;
  /** Live account events (`GET /api/v2/events`): where this process publishes. */
  accountEvents: AccountEventHub;
  /** The lines' providers, with their health. */
  providers: ProviderHost;
  /** Where providers' receipts and inbound messages come in. */
  intake: NetworkIntake;
  clock: Clock;
  bootstrap: BootstrapResult;
  /** `http://host:port` once listening. */
  url: string;
  /**
   * The web inbox's one-time sign-in link (`<public url>/inbox/#sign-in=<code>`), minted when the
   * server runs the sandbox for the bootstrap account (the zero-config start); null otherwise.
   */
  inboxLink: string | null;
  /** Graceful stop: refuse new requests, finish in-flight ones and jobs, close the database. */
  close(): Promise<void>;
}

/**
 * Opens and migrates the store a `DATABASE_URL` names, as the server and the CLI do, its secrets
 * sealed with `secretKey` (`TAPBACK_SECRET_KEY`; on SQLite, the key file when absent).
 */
export function openStore(databaseUrl: string, secretKey?: string, thread = false): Promise<Store> {
  return openStoreAt(databaseLocation(databaseUrl), { secretKey, thread });
}

/** The composition root: config -> store -> worker + app -> listening server. */
export async function startServer(
  config: Config,
  logger: Logger = pino({ level: config.logLevel }),
  /** Provider kinds beyond the built-in ones (a scripted network in tests). */
  extra: { providerFactories?: readonly ProviderFactory<unknown>[] } = {},
): Promise<Server> {
  const opened = await openStore(config.databaseUrl, config.secretKey, config.sqliteThread);
  if (config.role !== 'all' && !opened.capabilities.multiProcess) {
    await opened.close();
    throw new ConfigError(
      'TAPBACK_ROLE',
      `role "${config.role}" needs a database several processes can share (postgres://)`,
    );
  }
  const delivers = config.role !== 'api';
  const lineCounts = async (): Promise<Readiness['lines']> => {
    const [lines, health] = await Promise.all([opened.listLines(), opened.listLineHealth()]);
    return countLines(
      health.map((h) => h.status),
      lines.length,
    );
  };
  // Metrics observe the layers from outside, so none of them depends on metrics: every store call
  // through a timing proxy, webhook attempts through the sender, messages through their events.
  const metrics = new ServerMetrics({
    queueStats: () => opened.queueStats(Date.now()),
    lines: lineCounts,
    ...(opened.poolStats === undefined ? {} : { pool: () => opened.poolStats!() }),
  });
  const store = timedStore(opened, (method, seconds, failed) => metrics.storeCall(method, seconds, failed));
  const messageMetrics = new MessageMetrics(metrics, (number) => opened.findLine(number));
  const shippedMigrations = shippedMigrationLevel();
  const database = {
    database: opened.capabilities.dialect === 'postgres' ? ('postgresql' as const) : ('sqlite' as const),
    database_version: (await opened.databaseVersion?.().catch(() => null)) ?? null,
  };
  const metricsDeps = { metrics, access: metricsAccess(config.host, config.metricsToken) };
  // Readiness: providers count as loaded once their first load is done; unready from the start of a shutdown.
  let providersLoaded = false;
  let shuttingDown = false;
  const clock = config.clock === 'manual' ? new ManualClock() : new SystemClock();
  // The worker's and dispatcher's sleeps between rounds only poll: advancing a manual clock runs
  // their work itself and must not stop at each of them.
  const pollClock = clock instanceof ManualClock ? clock.idle() : clock;
  const events = new MessageEvents();
  // Live account events: every process publishes its committed changes, for streams in any process.
  const accountEvents = new AccountEventHub(store, config.events.maxStreamsPerAccount);
  accountEvents.start();
  const waiter = new MessageWaiter(store, config.waitLimits.maxPending);
  // A store shared by several processes (PostgreSQL) notifies every process of every new message,
  // this one's included: then that alone wakes waits, which would otherwise look twice per message.
  const stopWaking = config.role !== 'worker' ? store.onMessagesStored?.((ids) => waiter.notify(ids)) : undefined;
  const wakeWaiters = (accountId: number): void => {
    if (stopWaking === undefined) waiter.notify([accountId]);
  };
  // The sandbox's word on a contact's service: for what the sandbox simulates (injected inbound
  // messages, location sharing, a new contact's default); lookups ask the lines' providers.
  const serviceOf = (number: string) => sandboxRuleFor(number).service;
  // Verify: inbound messages approve verifications; the sweep expires them on this process's clock.
  const verify = new VerifyOperations({
    store,
    clock,
    events: accountEvents,
    onCreated: () => verificationExpiry.notify(),
  });
  const verificationExpiry = new VerificationExpiry({
    verify,
    pollClock,
    maxSleepMs: 5_000,
    onError: (error) => logger.error({ err: error, component: 'verify' }, 'verification expiry sweep failed'),
  });
  // Networks that call back (BlueBubbles) reach this server at its public URL: TAPBACK_PUBLIC_URL,
  // else where it listens (known once it does). Their group chats become Tapback groups, and the
  // files contacts send through them are kept in the media store.
  let listeningUrl: string | undefined;
  const publicUrl = (): string | undefined => config.publicUrl ?? listeningUrl;
  const networkGroups = new NetworkGroups({ store, clock });
  const networkMedia = new NetworkMedia({
    store,
    clock,
    publicUrl: () => publicUrl() ?? '',
    maxBytes: config.media.maxBytes,
  });
  const saveNetworkMedia = (line: string, file: { filename: string; contentType: string; bytes: Buffer }) =>
    networkMedia.save(line, file);
  // Inbound messages commit their deliveries (and a HELP reply's job); this only wakes the loops.
  const receive = new ReceiveService({
    store,
    clock,
    serviceOf,
    networkGroups,
    matchVerifications: (message) => verify.matchInbound(message),
    onReceived: (result) => {
      accountEvents.publishMessage('message.received', result.message);
      if (result.reply !== null) accountEvents.publishMessage('message.created', result.reply);
      worker.notify();
      dispatcher.notify();
      wakeWaiters(result.message.accountId);
    },
  });
  // Every provider's receipts and inbound messages come in here, applied with their webhooks.
  const intake = new NetworkIntake({
    store,
    clock,
    sleepClock: pollClock,
    events,
    receive: (inbound) => receive.receiveFromNetwork(inbound),
    typing: (typing): Promise<number> => typingService.fromNetwork(typing),
    renameGroup: (rename) => networkGroups.rename(rename),
    groupMembers: (change) => networkGroups.setMembers(change),
    logger: logger.child({ component: 'providers' }),
    earlyReceiptTtlMs: config.providers.earlyReceiptTtlMs,
  });
  const factories: ProviderFactory<unknown>[] = [smppProviderFactory];
  // iMessage through BlueBubbles: a message's media_url is fetched (through the SSRF guard, created
  // below; only called once sending) and uploaded to the Mac as an attachment.
  const bluebubblesDeps: Parameters<typeof bluebubblesProviderFactory>[0] = {
    media: {
      fetcher: { fetch: (url, limits) => mediaFetcher.fetch(url, limits) },
      limits: { maxBytes: config.media.maxBytes, timeoutMs: config.media.fetchTimeoutMs },
    },
    // Events back: each line's webhook registered, and polled as a check and a fallback.
    startEventSource: blueBubblesEvents({
      store,
      publicUrl,
      pollMs: config.blueBubblesPollMs,
      saveMedia: saveNetworkMedia,
    }),
    groupChats: blueBubblesGroupChats(store, () => clock.now()),
  };
  factories.push(bluebubblesProviderFactory(bluebubblesDeps));
  if (config.sandboxEnabled) factories.push(sandboxProviderFactory(config.sandbox));
  factories.push(...(extra.providerFactories ?? []));
  const providers = new ProviderHost({
    store,
    factories,
    events: intake,
    clock,
    sleepClock: pollClock,
    logger: logger.child({ component: 'providers' }),
    workerId: `${hostname()}:${process.pid}`,
    settings: config.providers,
    onHealthChange: (line, health) =>
      accountEvents.publish({
        accountId: line.accountId,
        type: 'line.status.changed',
        occurredAt: health.changedAt,
        data: {
          sendblue_number: line.number,
          status: health.status,
          status_changed_at: new Date(health.changedAt).toISOString(),
        },
      }),
  });
  const readiness = async (): Promise<Readiness> => {
    const state = {
      providers: !delivers ? ('not_run' as const) : providersLoaded ? ('loaded' as const) : ('loading' as const),
      shutting_down: shuttingDown,
    };
    try {
      const [lines, level] = await Promise.all([lineCounts(), opened.migrationLevel()]);
      const migrations = migrationsApplied(level, shippedMigrations) ? ('ok' as const) : ('pending' as const);
      return { database: 'ok', migrations, ...state, lines };
    } catch (error) {
      logger.warn({ err: error }, 'readiness check: the database does not answer');
      return { database: 'unreachable', migrations: 'unknown', ...state, lines: countLines([], 0) };
    }
  };
  // Routing with SMS fallback: lines' settings as their running providers have them (else the
  // store's), recipients' services through one cache shared with `GET /api/evaluate-service`.
  const lookupCache = new LookupCache(config.providers.lookupCacheTtlMs, () => clock.now());
  const router = new Router({
    line: async (number) => providers.lineConfig(number) ?? (await store.findLine(number)),
    provider: (line, kind) => {
      const provider = providers.resolve(line, kind);
      return 'reason' in provider ? undefined : provider;
    },
    cache: lookupCache,
    instantService: (kind, number) => (kind === 'sandbox' ? serviceOf(number) : undefined),
  });
  const typingService: TypingService = new TypingService(
    store,
    clock,
    () => dispatcher.notify(),
    accountEvents,
    (line, to) => capabilities.showTyping(line, to),
  );
  const capabilities: LineCapabilities = new LineCapabilities({
    store,
    providers,
    sandboxService: serviceOf,
    lookupCache,
  });
  const policy = new AddressPolicy(config.webhooks.allowPrivateCidrs);
  // Media is fetched through the same SSRF guard (and TAPBACK_ALLOW_PRIVATE_CIDRS) as webhooks.
  const mediaFetcher = new GuardedMediaFetcher({
    policy,
    connectTimeoutMs: config.media.fetchTimeoutMs,
    userAgent: `Tapback-Media/${VERSION}`,
  });
  const worker = new Worker({
    onInbound: (inbound) => intake.onInbound(inbound),
    media: {
      fetcher: mediaFetcher,
      limits: { maxBytes: config.media.maxBytes, timeoutMs: config.media.fetchTimeoutMs },
    },
    store,
    clock,
    pollClock,
    providers,
    events,
    logger: logger.child({ component: 'worker' }),
    settings: config.delivery,
    router,
  });
  const sender = new HttpSender({
    policy,
    timeoutMs: config.webhooks.timeoutMs,
    userAgent: `Tapback-Webhooks/${VERSION}`,
  });
  const dispatcher = new Dispatcher({
    store,
    // Its only sleeps are its loop's polls.
    clock: pollClock,
    sender: observedSender(sender, metrics),
    logger: logger.child({ component: 'webhooks' }),
    settings: { ...config.webhooks, pollMs: config.delivery.pollMs },
  });
  // Status changes commit their deliveries in the same transaction; this only wakes the dispatcher
  // (waits match on what never changes: a status change cannot answer one).
  events.onStatusChange(() => dispatcher.notify());
  events.onStatusChange((change) => accountEvents.publishMessage('message.updated', change.message, change.previous));
  events.onStatusChange((change) => messageMetrics.statusChanged(change));
  // A stored send has a job to run and may have callbacks to send (a DECLINED copy) or a waiter to answer.
  const onAccepted = (message: Message): void => {
    accountEvents.publishMessage('message.created', message);
    messageMetrics.accepted(message);
    worker.notify();
    dispatcher.notify();
    wakeWaiters(message.accountId);
  };
  const retryMatchWindowMs = config.retryMatchWindowMs;
  // What every send-like use case (send, group send, carousel, App Cards) stores and checks with.
  const messageDeps = {
    store,
    clock,
    queueLimit: config.queueLimit,
    onAccepted,
    urlPolicy: policy,
    retryMatchWindowMs,
    routeService: (line: string, to: string) => router.atAccept(line, to),
  };
  const sendService = new SendService(messageDeps);
  const groups = new GroupService(messageDeps);
  const media = new MediaService({
    store,
    fetcher: mediaFetcher,
    clock,
    limits: {
      maxBytes: config.media.maxBytes,
      fetchTimeoutMs: config.media.fetchTimeoutMs,
      uploadMaxBytes: config.media.uploadMaxBytes,
    },
  });
  const mediaDeps = {
    media,
    carousel: new CarouselService(messageDeps),
    appCards: new AppCardService(messageDeps),
    profile: new GroupProfileService({ store, media, clock }),
  };
  const boot = await bootstrapShared(store, { ...config.bootstrap, sandbox: config.sandboxEnabled, now: clock.now() });
  const app =
    config.role !== 'worker'
      ? await buildApp({
          store,
          sendService,
          queries: new MessageQueries(store),
          conversations: new Conversations({ store, now: () => clock.now() }),
          logger,
          listRateLimit: config.listRateLimit,
          replayRateLimit: config.replayRateLimit,
          http: config.http,
          now: () => clock.now(),
          authFailureLimit: config.authFailureLimit,
          sandboxEnabled: config.sandboxEnabled,
          sandboxReset: (accountId) => store.resetAccountData(accountId),
          readiness,
          metrics: metricsDeps,
          database,
          advanceClock:
            clock instanceof ManualClock
              ? (ms, signal) => advanceTime(clock, worker, store, ms, [dispatcher, verificationExpiry], { signal })
              : undefined,
          version: VERSION,
          session: {
            sessions: new SignInSessions({ store, clock, ttlMs: config.session.ttlMs }),
            now: () => clock.now(),
            version: VERSION,
            sandbox: config.sandboxEnabled,
            manualClock: clock instanceof ManualClock,
            ...(config.publicUrl === undefined ? {} : { publicOrigin: new URL(config.publicUrl).origin }),
          },
          events: {
            hub: accountEvents,
            now: () => clock.now(),
            heartbeatMs: config.events.heartbeatMs,
            maxStreamMs: config.events.maxStreamMs,
          },
          webhooks: { policy, onQueued: () => dispatcher.notify() },
          account: {
            tokens: new TokenService({ store, clock }),
            seats: new SeatService({ store, clock }),
            location: new LocationService({ store, clock, serviceOf }),
            callForwarding: new CallForwardingService({ store, clock }),
          },
          media: mediaDeps,
          verify: { verify, totp: new TotpOperations({ store, clock }) },
          contacts: {
            records: new ContactService({
              store,
              clock,
              events: accountEvents,
              serviceOf,
              onWebhooksQueued: () => dispatcher.notify(),
              sendVerification: (caller, input) => sendService.send(caller, input),
            }),
            verified: new VerifiedContactsService({ store, clock }),
          },
          twoWay: {
            receive,
            groups,
            optOut: new OptOutService(store, clock),
            typing: typingService,
            markRead: new MarkReadService({ store, markRead: (line, to) => capabilities.markRead(line, to) }),
            waiter,
            waitRatePerSecond: config.waitLimits.perSecond,
            serviceOf,
            lookupService: (accountId, number) => capabilities.lookupService(accountId, number),
          },
          networkHooks: {
            bluebubbles: new BlueBubblesHooks({
              store,
              events: intake,
              saveMedia: saveNetworkMedia,
              logger: logger.child({ component: 'bluebubbles-webhooks' }),
              now: () => clock.now(),
            }),
          },
        })
      : buildHealthApp(config.role, VERSION, config.http, readiness, { metrics: metricsDeps, database });
  // Beyond the cap Node closes a new connection as soon as it is accepted: a flood of idle
  // connections cannot use up the process's file descriptors.
  app.server.maxConnections = config.http.maxConnections;
  // Other processes' commits (sends accepted by API processes, follow-ups scheduled by other
  // workers) wake this one at once; polling every pollMs remains the fallback.
  const unsubscribe = delivers
    ? store.onJobsAvailable?.(() => {
        worker.notify();
        dispatcher.notify();
      })
    : undefined;
  // Delivering processes prune; with several on PostgreSQL the store makes their batches take turns.
  const pruner = new RetentionPruner({
    store,
    clock,
    sleepClock: pollClock,
    settings: { ...config.retention, retryMatchWindowMs, intervalMs: RETENTION_INTERVAL_MS },
    onError: (error) => logger.error({ err: error, component: 'retention' }, 'retention pruning failed'),
    onPruned: (counts) => logger.info({ component: 'retention', ...counts }, 'pruned rows past their retention'),
  });
  store.startBackgroundWork?.();
  verificationExpiry.start();
  if (delivers) {
    // Providers connect in the background; a line whose network is down still accepts sends.
    await providers.start();
    providersLoaded = true;
    intake.start();
    worker.start();
    dispatcher.start();
    pruner.start();
  }
  let address: string;
  let inboxLink: string | null = null;
  try {
    address = await app.listen({ host: config.host, port: config.port });
    listeningUrl = address;
    // The zero-config start signs its user in to the inbox with one click of the banner's link.
    if (config.role !== 'worker' && config.sandboxEnabled && boot.email === BOOTSTRAP_EMAIL) {
      const minted = await new SignInLinks({ store, clock }).mint(boot.email);
      if ('code' in minted) inboxLink = signInUrl(publicUrl() ?? address, minted.code);
    }
  } catch (error) {
    unsubscribe?.();
    stopWaking?.();
    await verificationExpiry.stop();
    await pruner.stop();
    await worker.stop();
    await providers.stop();
    await intake.stop();
    await dispatcher.stop();
    await sender.close();
    await mediaFetcher.close();
    await store.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    worker,
    dispatcher,
    events,
    accountEvents,
    providers,
    intake,
    clock,
    bootstrap: boot,
    url: address,
    inboxLink,
    close: () =>
      (closing ??= (async () => {
        shuttingDown = true;
        // Open event streams would keep app.close() waiting; their clients reconnect elsewhere or later.
        accountEvents.close();
        await app.close();
        unsubscribe?.();
        stopWaking?.();
        await verificationExpiry.stop();
        await pruner.stop();
        await worker.stop();
        // Unbinds cleanly; receipts that arrive until then are still applied.
        await providers.stop();
        await intake.stop();
        await dispatcher.stop();
        await sender.close();
        await mediaFetcher.close();
        await store.close();
      })()),
  };
}

/**
 * Bootstrap, tolerating a race: processes started together against an empty shared database may
 * both try to create the first account; the loser's retry then finds it.
 */
async function bootstrapShared(store: Store, input: BootstrapInput): Promise<BootstrapResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await bootstrap(store, input);
    } catch (error) {
      if (!store.capabilities.multiProcess || attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
