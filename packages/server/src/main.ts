import type { FastifyInstance } from 'fastify';
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import { type BootstrapInput, type BootstrapResult, bootstrap } from './accounts/bootstrap.js';
import { buildApp } from './api/build-app.js';
import { buildHealthApp } from './api/health-app.js';
import { type Readiness, countLines } from './api/readiness.js';
import type { Config } from './config/config.js';
import { VERSION } from './version.js';
import { ConfigError, databaseLocation } from './config/config.js';
import { type Clock, ManualClock, SystemClock } from './domain/clock.js';
import { MessageEvents } from './delivery/message-events.js';
import { LineCapabilities } from './delivery/line-capabilities.js';
import { NetworkIntake } from './delivery/network-intake.js';
import { ProviderHost } from './delivery/provider-host.js';
import type { ProviderFactory } from './delivery/providers/provider.js';
import { sandboxProviderFactory } from './delivery/providers/sandbox/sandbox-provider.js';
import { smppProviderFactory } from './delivery/providers/smpp/smpp-settings.js';
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
import { TypingService } from './messaging/typing.js';
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
import { CallForwardingService } from './messaging/call-forwarding.js';
import { LocationService } from './messaging/location-sharing.js';
import { SeatService } from './messaging/seats.js';

export { VERSION } from './version.js';

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
  /** Graceful stop: refuse new requests, finish in-flight ones and jobs, close the database. */
  close(): Promise<void>;
}

/**
 * Opens and migrates the store a `DATABASE_URL` names, as the server and the CLI do, its secrets
 * sealed with `secretKey` (`TAPBACK_SECRET_KEY`; on SQLite, the key file when absent).
 */
export function openStore(databaseUrl: string, secretKey?: string): Promise<Store> {
  return openStoreAt(databaseLocation(databaseUrl), { secretKey });
}

/** The composition root: config -> store -> worker + app -> listening server. */
export async function startServer(config: Config, logger: Logger = pino({ level: config.logLevel })): Promise<Server> {
  const store = await openStore(config.databaseUrl, config.secretKey);
  if (config.role !== 'all' && !store.capabilities.multiProcess) {
    await store.close();
    throw new ConfigError(
      'TAPBACK_ROLE',
      `role "${config.role}" needs a database several processes can share (postgres://)`,
    );
  }
  const delivers = config.role !== 'api';
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
  // Inbound messages commit their deliveries (and a HELP reply's job); this only wakes the loops.
  const receive = new ReceiveService({
    store,
    clock,
    serviceOf,
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
    logger: logger.child({ component: 'providers' }),
    earlyReceiptTtlMs: config.providers.earlyReceiptTtlMs,
  });
  const factories: ProviderFactory<unknown>[] = [smppProviderFactory];
  if (config.sandboxEnabled) factories.push(sandboxProviderFactory(config.sandbox));
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
    try {
      const [lines, health] = await Promise.all([store.listLines(), store.listLineHealth()]);
      return {
        database: 'ok',
        lines: countLines(
          health.map((h) => h.status),
          lines.length,
        ),
      };
    } catch (error) {
      logger.warn({ err: error }, 'readiness check: the database does not answer');
      return { database: 'unreachable', lines: countLines([], 0) };
    }
  };
  const capabilities = new LineCapabilities({ store, providers, sandboxService: serviceOf });
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
    sender,
    logger: logger.child({ component: 'webhooks' }),
    settings: { ...config.webhooks, pollMs: config.delivery.pollMs },
  });
  // Status changes commit their deliveries in the same transaction; this only wakes the dispatcher
  // (waits match on what never changes: a status change cannot answer one).
  events.onStatusChange(() => dispatcher.notify());
  events.onStatusChange((change) => accountEvents.publishMessage('message.updated', change.message, change.previous));
  // A stored send has a job to run and may have callbacks to send (a DECLINED copy) or a waiter to answer.
  const onAccepted = (message: Message): void => {
    accountEvents.publishMessage('message.created', message);
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
  };
  const sendService = new SendService(messageDeps);
  const groups = new GroupService(messageDeps);
  const media = new MediaService({
    store,
    fetcher: mediaFetcher,
    clock,
    limits: { maxBytes: config.media.maxBytes, fetchTimeoutMs: config.media.fetchTimeoutMs },
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
          logger,
          listRateLimit: config.listRateLimit,
          replayRateLimit: config.replayRateLimit,
          http: config.http,
          now: () => clock.now(),
          sandboxEnabled: config.sandboxEnabled,
          readiness,
          advanceClock:
            clock instanceof ManualClock
              ? (ms, signal) => advanceTime(clock, worker, store, ms, [dispatcher, verificationExpiry], { signal })
              : undefined,
          version: VERSION,
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
            typing: new TypingService(
              store,
              clock,
              () => dispatcher.notify(),
              accountEvents,
              (line, to) => capabilities.showTyping(line, to),
            ),
            waiter,
            waitRatePerSecond: config.waitLimits.perSecond,
            serviceOf,
            lookupService: (accountId, number) => capabilities.lookupService(accountId, number),
          },
        })
      : buildHealthApp(config.role, VERSION, config.http, readiness);
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
  store.startBackgroundWork?.();
  verificationExpiry.start();
  if (delivers) {
    // Providers connect in the background; a line whose network is down still accepts sends.
    await providers.start();
    intake.start();
    worker.start();
    dispatcher.start();
  }
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    unsubscribe?.();
    stopWaking?.();
    await verificationExpiry.stop();
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
    close: () =>
      (closing ??= (async () => {
        // Open event streams would keep app.close() waiting; their clients reconnect elsewhere or later.
        accountEvents.close();
        await app.close();
        unsubscribe?.();
        stopWaking?.();
        await verificationExpiry.stop();
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
