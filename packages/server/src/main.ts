import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { type BootstrapInput, type BootstrapResult, bootstrap } from './accounts/bootstrap.js';
import { buildApp } from './api/build-app.js';
import { buildHealthApp } from './api/health-app.js';
import type { Config } from './config/config.js';
import { VERSION } from './version.js';
import { ConfigError, databaseLocation } from './config/config.js';
import { type Clock, ManualClock, SystemClock } from './domain/clock.js';
import { MessageEvents } from './delivery/message-events.js';
import { ProviderRegistry } from './delivery/providers/provider.js';
import { SandboxProvider } from './delivery/providers/sandbox/sandbox-provider.js';
import { advanceTime } from './delivery/time-travel.js';
import { Worker } from './delivery/worker.js';
import { MessageQueries } from './messaging/message-query.js';
import { SendService } from './messaging/send-message.js';
import { sandboxRuleFor } from './delivery/providers/sandbox/sandbox-behaviour.js';
import { GroupService } from './messaging/groups.js';
import { MessageWaiter } from './messaging/message-waiter.js';
import type { Message } from './domain/message.js';
import { OptOutService } from './messaging/opt-out.js';
import { ReceiveService } from './messaging/receive-message.js';
import { TypingService } from './messaging/typing.js';
import { openStore as openStoreAt } from './store/open-store.js';
import type { Store } from './store/store.js';
import { Dispatcher } from './webhooks/dispatcher.js';
import { HttpSender } from './webhooks/http-sender.js';
import { AddressPolicy } from './webhooks/ssrf-guard.js';

export { VERSION } from './version.js';

export interface Server {
  app: FastifyInstance;
  store: Store;
  worker: Worker;
  /** Delivers status callbacks and account webhooks from the outbox. */
  dispatcher: Dispatcher;
  events: MessageEvents;
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
  const providers = new ProviderRegistry([new SandboxProvider(config.sandbox)]);
  const waiter = new MessageWaiter(store, config.waitLimits.maxPending);
  // A store shared by several processes (PostgreSQL) notifies every process of every new message,
  // this one's included: then that alone wakes waits, which would otherwise look twice per message.
  const stopWaking = config.role !== 'worker' ? store.onMessagesStored?.((ids) => waiter.notify(ids)) : undefined;
  const wakeWaiters = (accountId: number): void => {
    if (stopWaking === undefined) waiter.notify([accountId]);
  };
  // Contacts reach lines through the sandbox network, the only one Tapback has.
  const serviceOf = (number: string) => sandboxRuleFor(number).service;
  // Inbound messages commit their deliveries (and a HELP reply's job); this only wakes the loops.
  const receive = new ReceiveService({
    store,
    clock,
    serviceOf,
    onReceived: (result) => {
      worker.notify();
      dispatcher.notify();
      wakeWaiters(result.message.accountId);
    },
  });
  const worker = new Worker({
    onContactReply: (reply, cause) => receive.receiveReply(reply, cause),
    store,
    clock,
    pollClock,
    providers,
    events,
    logger: logger.child({ component: 'worker' }),
    settings: config.delivery,
  });
  const policy = new AddressPolicy(config.webhooks.allowPrivateCidrs);
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
  // A stored send has a job to run and may have callbacks to send (a DECLINED copy) or a waiter to answer.
  const onAccepted = (message: Message): void => {
    worker.notify();
    dispatcher.notify();
    wakeWaiters(message.accountId);
  };
  const sendService = new SendService({ store, clock, queueLimit: config.queueLimit, onAccepted });
  const groups = new GroupService({ store, clock, queueLimit: config.queueLimit, onAccepted });
  const boot = await bootstrapShared(store, { ...config.bootstrap, now: clock.now() });
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
          advanceClock:
            clock instanceof ManualClock
              ? (ms, signal) => advanceTime(clock, worker, store, ms, [dispatcher], { signal })
              : undefined,
          version: VERSION,
          webhooks: { policy, onQueued: () => dispatcher.notify() },
          twoWay: {
            receive,
            groups,
            optOut: new OptOutService(store, clock),
            typing: new TypingService(store, clock, () => dispatcher.notify()),
            waiter,
            waitRatePerSecond: config.waitLimits.perSecond,
            serviceOf,
          },
        })
      : buildHealthApp(config.role, config.http);
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
  if (delivers) {
    worker.start();
    dispatcher.start();
  }
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    unsubscribe?.();
    stopWaking?.();
    await worker.stop();
    await dispatcher.stop();
    await sender.close();
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
    clock,
    bootstrap: boot,
    url: address,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        unsubscribe?.();
        stopWaking?.();
        await worker.stop();
        await dispatcher.stop();
        await sender.close();
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
