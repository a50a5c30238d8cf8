import type pg from 'pg';
import { Batcher } from '../../lib/batcher.js';
import { SecretCipher } from '../../lib/secret-cipher.js';
import { composeStore } from '../compose-store.js';
import { planPorts } from '../plan-ports.js';
import { sealSigningSecrets } from '../queries/webhook-config-queries.js';
import type { Store } from '../store.js';
import { JobListener } from './job-listener.js';
import { acceptBatch } from './postgres-accept.js';
import { createPool } from './postgres-connection.js';
import { PostgresEvents } from './postgres-events.js';
import { PostgresInbound } from './postgres-inbound.js';
import { PostgresJobs } from './postgres-jobs.js';
import { PostgresReceipts } from './postgres-receipts.js';
import { PostgresLookups } from './postgres-lookups.js';
import { PostgresMessageList } from './postgres-message-list.js';
import { migratePostgres } from './postgres-migrate.js';
import { PostgresPlanRunner } from './postgres-plan-runner.js';
import { PostgresWebhookOutbox } from './postgres-webhook-outbox.js';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

export interface PostgresStoreOptions {
  /** Connections in the pool; group commit needs few. */
  poolSize?: number;
  /**
   * The key that seals stored secrets (lib/secret-cipher.ts), as `TAPBACK_SECRET_KEY` gives it.
   * Required: every process sharing the database must use the same one, so none may make its own.
   */
  secretKey: string;
}

/**
 * The scale-out backend: any number of API and worker processes share one PostgreSQL database.
 * Sends are group-committed (postgres-accept.ts), jobs are claimed with FOR UPDATE SKIP LOCKED
 * and leases, and idle workers and pending waits are woken through LISTEN/NOTIFY (job-listener.ts).
 * Each port is implemented once, in the file named for it; this only wires them together on one pool.
 */
export function createPostgresStore(url: string, options: PostgresStoreOptions): Store {
  const cipher = SecretCipher.fromText(options.secretKey);
  const pool = createPool(url, options.poolSize ?? 10);
  const listener = new JobListener(url);
  const plans = new PostgresPlanRunner(pool);
  const webhooks = new PostgresWebhookOutbox(pool, cipher);
  const accepts = new Batcher((items: Parameters<Store['acceptOutbound']>[0][]) => acceptBatch(pool, webhooks, items));
  const inbound = new PostgresInbound(pool, webhooks);
  return composeStore(
    [
      new PostgresLookups(plans),
      planPorts(plans, cipher),
      { acceptOutbound: accepts.submit.bind(accepts), acceptInbound: inbound.acceptInbound.bind(inbound) },
      new PostgresMessageList(pool),
      new PostgresJobs(pool, webhooks, listener),
      new PostgresReceipts(pool, webhooks),
      new PostgresEvents(pool, listener),
      webhooks,
      { onMessagesStored: listener.onMessagesStored.bind(listener) },
    ],
    new PostgresLifecycle(pool, listener, () => plans.transaction(sealSigningSecrets, cipher)),
    {
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      databaseVersion: async () =>
        (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '',
    },
  );
}

/** Migrating and closing: the pool and the LISTEN connection. */
class PostgresLifecycle {
  readonly capabilities = { dialect: 'postgres', multiProcess: true } as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly listener: JobListener,
    private readonly sealSecrets: () => Promise<unknown>,
  ) {}

  async migrate(): Promise<void> {
    await migratePostgres(this.pool, MIGRATIONS);
    await this.sealSecrets();
  }

  async migrationLevel(): Promise<string> {
    const r = await this.pool.query<{ name: string }>(
      'SELECT name FROM schema_migrations ORDER BY version DESC LIMIT 1',
    );
    return r.rows[0]?.name.replace(/\.sql$/, '') ?? '';
  }

  async close(): Promise<void> {
    await this.listener.close();
    await this.pool.end();
  }
}
