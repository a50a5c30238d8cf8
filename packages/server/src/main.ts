import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { type BootstrapResult, bootstrap } from './accounts/bootstrap.js';
import { buildApp } from './api/build-app.js';
import type { Config } from './config/config.js';
import { sqlitePath } from './config/config.js';
import { type Clock, ManualClock, SystemClock } from './domain/clock.js';
import { MessageEvents } from './delivery/message-events.js';
import { ProviderRegistry } from './delivery/providers/provider.js';
import { SandboxProvider } from './delivery/providers/sandbox/sandbox-provider.js';
import { advanceTime } from './delivery/time-travel.js';
import { Worker } from './delivery/worker.js';
import { MessageQueries } from './messaging/message-query.js';
import { SendService } from './messaging/send-message.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/store.js';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface Server {
  app: FastifyInstance;
  store: Store;
  worker: Worker;
  events: MessageEvents;
  clock: Clock;
  bootstrap: BootstrapResult;
  /** `http://host:port` once listening. */
  url: string;
  /** Graceful stop: refuse new requests, finish in-flight ones and jobs, close the database. */
  close(): Promise<void>;
}

/** Opens the store a `DATABASE_URL` names. Only this file and the CLI know concrete backends. */
export async function openStore(databaseUrl: string): Promise<Store> {
  const store = new SqliteStore(sqlitePath(databaseUrl));
  await store.migrate();
  return store;
}

/** The composition root: config -> store -> worker + app -> listening server. */
export async function startServer(config: Config, logger: Logger = pino({ level: config.logLevel })): Promise<Server> {
  const store = await openStore(config.databaseUrl);
  const clock = config.clock === 'manual' ? new ManualClock() : new SystemClock();
  const events = new MessageEvents();
  const providers = new ProviderRegistry([new SandboxProvider(config.sandbox)]);
  const worker = new Worker({
    store,
    clock,
    providers,
    events,
    logger: logger.child({ component: 'worker' }),
    settings: config.delivery,
  });
  const sendService = new SendService({
    store,
    clock,
    queueLimit: config.queueLimit,
    onAccepted: () => worker.notify(),
  });
  const boot = await bootstrap(store, config.bootstrap);
  const app = await buildApp({
    store,
    sendService,
    queries: new MessageQueries(store),
    logger,
    listRateLimit: config.listRateLimit,
    now: () => clock.now(),
    advanceClock: clock instanceof ManualClock ? (ms) => advanceTime(clock, worker, store, ms) : undefined,
    version: VERSION,
  });
  worker.start();
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await worker.stop();
    await store.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    worker,
    events,
    clock,
    bootstrap: boot,
    url: address,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await worker.stop();
        await store.close();
      })()),
  };
}
