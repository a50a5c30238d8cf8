import { parseSecretKey } from '../lib/secret-cipher.js';
import { DEFAULT_RETRY_SCHEDULE, parseCidrList, parseRetrySchedule } from './setting-values.js';

/**
 * Configuration: read once at start-up, validated, frozen. Precedence: CLI flag > environment
 * variable > default. This module is the only reader of `process.env` (callers pass it in).
 * Every key is documented in the README's configuration table, which a test keeps in step with
 * `CONFIG_KEYS` below.
 */
export interface Config {
  host: string;
  port: number;
  /** `sqlite:<path>` (or `sqlite::memory:`), or `postgres://...` / `postgresql://...`. */
  databaseUrl: string;
  /** What this process does: `api` answers HTTP, `worker` delivers, `all` both (the default). */
  role: Role;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `pretty` lines for people, `json` lines for collectors; `auto` picks pretty on a terminal. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** How long `tapback serve` waits for in-flight requests and jobs after SIGTERM before it exits anyway. */
  shutdownTimeoutMs: number;
  /** SQLite: whether the database runs on a thread of its own (the server's second core). */
  sqliteThread: boolean;
  /** The bearer token `/metrics` wants when the server listens beyond loopback; off without it. */
  metricsToken?: string;
  clock: 'system' | 'manual';
  sandbox: { sentDelayMs: number; deliveredDelayMs: number };
  /** Whether the sandbox network and its `/sandbox/*` routes run (on unless turned off). */
  sandboxEnabled: boolean;
  /** The providers of real lines: reconnects, health, and how fast line changes are noticed. */
  providers: {
    reloadMs: number;
    reconnectBaseMs: number;
    reconnectMaxMs: number;
    degradedAfterFailures: number;
    earlyReceiptTtlMs: number;
    /** How long a line's answer to "which service reaches this number" is reused by routing. */
    lookupCacheTtlMs: number;
  };
  delivery: {
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    leaseMs: number;
    batchSize: number;
    pollMs: number;
    providerTimeoutMs: number;
  };
  queueLimit: number;
  /** Failed authentications a minute per client address before they get 429; 0 is off. */
  authFailureLimit: number;
  /** The web inbox's sessions: how long one lasts after sign-in. */
  session: { ttlMs: number };
  /** What the pruner deletes, by age in days; 0 keeps it forever. */
  retention: { webhookLogDays: number; messagesDays: number };
  /** How long after a send an official SDK retry of it replays it instead of storing again. */
  retryMatchWindowMs: number;
  listRateLimit: { max: number; windowMs: number };
  /** `GET /sandbox/wait` per account: requests pending at once, and started per second. */
  waitLimits: { maxPending: number; perSecond: number };
  /** Webhook delivery replays per window per account. */
  replayRateLimit: { max: number; windowMs: number };
  /** Limits of the HTTP server against clients that hold connections open. */
  http: { maxConnections: number; headersTimeoutMs: number; keepAliveTimeoutMs: number };
  /** `GET /api/v2/events`: heartbeat and rotation intervals, and open streams per account. */
  events: { heartbeatMs: number; maxStreamMs: number; maxStreamsPerAccount: number };
  bootstrap: { apiKeyId?: string; apiSecret?: string; line?: string };
  /**
   * The key that seals stored secrets (lib/secret-cipher.ts), as given (base64 or hex); absent on
   * SQLite means the key file next to the database.
   */
  secretKey?: string;
  webhooks: {
    /** Private ranges outbound requests may reach anyway (CIDRs); empty in production. */
    allowPrivateCidrs: string[];
    timeoutMs: number;
    /** Delay before each attempt in ms; the first is 0. */
    retrySchedule: number[];
    concurrency: number;
    concurrencyPerDestination: number;
    concurrencyPerAccount: number;
  };
  /** Media objects fetched from a URL (`POST /api/upload-media-object`, group photos). */
  media: { maxBytes: number; fetchTimeoutMs: number; /** `POST /api/upload-file`. */ uploadMaxBytes: number };
  /**
   * Tapback's base URL as networks reach it (BlueBubbles webhooks, attachment links), without a
   * trailing slash; absent: `http://<host>:<port>` where the server listens.
   */
  publicUrl?: string;
  /** How often BlueBubbles servers are polled (webhook check and fallback). */
  blueBubblesPollMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`Invalid configuration ${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Kind = 'string' | 'int' | 'enum';

interface KeySpec {
  env: string;
  flag?: string;
  kind: Kind;
  default?: string;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** An explicitly empty value is the value, not "unset" (which empty means for the other keys). */
  emptyIsValue?: boolean;
  description: string;
}

/** Every setting, with its environment variable, flag, default and meaning. */
export const CONFIG_KEYS = {
  host: {
    env: 'TAPBACK_HOST',
    flag: 'host',
    kind: 'string',
    default: '127.0.0.1',
    description: 'Address to listen on.',
  },
  port: {
    env: 'TAPBACK_PORT',
    flag: 'port',
    kind: 'int',
    default: '4010',
    min: 0,
    max: 65535,
    description: 'Port to listen on (0 picks a free one).',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    flag: 'database-url',
    kind: 'string',
    default: 'sqlite:./data/tapback.db',
    description:
      'Where data lives: `sqlite:<file>` or `postgres://user:pass@host:5432/db`. Also read from `TAPBACK_DATABASE_URL`.',
  },
  role: {
    env: 'TAPBACK_ROLE',
    flag: 'role',
    kind: 'enum',
    default: 'all',
    values: ['api', 'worker', 'all'],
    description:
      '`api` accepts and answers requests; `worker` delivers messages and webhooks (HTTP serves only `/healthz` and `/readyz`); `all` does both. Split roles need PostgreSQL.',
  },
  logLevel: {
    env: 'TAPBACK_LOG_LEVEL',
    flag: 'log-level',
    kind: 'enum',
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'pino log level.',
  },
  logFormat: {
    env: 'TAPBACK_LOG_FORMAT',
    flag: 'log-format',
    kind: 'enum',
    default: 'auto',
    values: ['auto', 'json', 'pretty'],
    description:
      'Log lines as `json` (one object a line, for collectors) or `pretty` (coloured, for people); `auto` is pretty when standard output is a terminal.',
  },
  sqliteThread: {
    env: 'TAPBACK_SQLITE_THREAD',
    kind: 'enum',
    default: 'off',
    values: ['on', 'off'],
    description:
      'SQLite only: `on` runs the database (statements, commits and their fsyncs) on a thread of its own, taking ~27% of the CPU per send off the event loop at the price of ~35% more CPU in all and ~30 MB of memory; it pays only where a core is idle (clients on other machines) and the event loop is the limit. `off` keeps it on the event loop.',
  },
  shutdownTimeoutMs: {
    env: 'TAPBACK_SHUTDOWN_TIMEOUT_MS',
    kind: 'int',
    default: '60000',
    min: 100,
    max: 3_600_000,
    description:
      'After SIGTERM or SIGINT, how long the server drains in-flight requests, jobs and webhook attempts before it exits anyway (exit code 1, saying what it was waiting for); keep a service manager’s stop timeout longer.',
  },
  metricsToken: {
    env: 'TAPBACK_METRICS_TOKEN',
    kind: 'string',
    description:
      'Bearer token `GET /metrics` requires when the server listens beyond loopback (unset: `/metrics` is off there, 404). On a loopback address `/metrics` is open.',
  },
  clock: {
    env: 'TAPBACK_CLOCK',
    flag: 'clock',
    kind: 'enum',
    default: 'system',
    values: ['system', 'manual'],
    description: '`manual` freezes time; move it with `POST /sandbox/clock/advance`.',
  },
  sandbox: {
    env: 'TAPBACK_SANDBOX',
    kind: 'enum',
    default: 'on',
    values: ['on', 'off'],
    description:
      '`off` runs no sandbox network: sandbox lines cannot send, and the `/sandbox/*` routes are not mounted. Turn it off on a server with real lines.',
  },
  linesReloadMs: {
    env: 'TAPBACK_LINES_RELOAD_MS',
    kind: 'int',
    default: '2000',
    min: 100,
    max: 3_600_000,
    description:
      'How often a running server looks for lines added or changed elsewhere (the CLI, other processes) and restarts only their providers.',
  },
  providerReconnectBaseMs: {
    env: 'TAPBACK_PROVIDER_RECONNECT_BASE_MS',
    kind: 'int',
    default: '1000',
    min: 1,
    max: 3_600_000,
    description:
      'First delay before a lost provider connection (an SMPP bind) is retried; doubles per failure, with full jitter.',
  },
  providerReconnectMaxMs: {
    env: 'TAPBACK_PROVIDER_RECONNECT_MAX_MS',
    kind: 'int',
    default: '60000',
    min: 1,
    max: 86_400_000,
    description: 'Longest delay between provider reconnect attempts.',
  },
  publicUrl: {
    env: 'TAPBACK_PUBLIC_URL',
    kind: 'string',
    description:
      'Tapback’s base URL as networks reach it (e.g. https://tapback.example.com): BlueBubbles servers post their events to `<it>/network-hooks/bluebubbles/<token>`, and attachments they deliver are linked under it. Default: `http://<host>:<port>` where the server listens.',
  },
  blueBubblesPollMs: {
    env: 'TAPBACK_BLUEBUBBLES_POLL_MS',
    kind: 'int',
    default: '15000',
    min: 50,
    max: 3_600_000,
    description:
      'How often each BlueBubbles server is polled: its webhooks are checked (registered again if lost) and messages they did not deliver are read (the fallback when the server cannot reach TAPBACK_PUBLIC_URL).',
  },
  earlyReceiptTtlMs: {
    env: 'TAPBACK_EARLY_RECEIPT_TTL_MS',
    kind: 'int',
    default: '600000',
    min: 1000,
    max: 604_800_000,
    description:
      'How long a delivery receipt that names a message id no send has recorded yet is kept (the receipt can beat the send’s own answer); then it is dropped and logged.',
  },
  lookupCacheTtlMs: {
    env: 'TAPBACK_LOOKUP_CACHE_TTL_MS',
    kind: 'int',
    default: '3600000',
    min: 0,
    max: 604_800_000,
    description:
      'How long a line’s answer to “is this recipient an iMessage user” is reused when routing sends and answering `GET /api/evaluate-service` (0: ask every time).',
  },
  providerDegradedAfter: {
    env: 'TAPBACK_PROVIDER_DEGRADED_AFTER',
    kind: 'int',
    default: '3',
    min: 1,
    max: 1000,
    description:
      'Consecutive transient send failures on a connected line that report it `DEGRADED` in `GET /api/v2/lines/state`.',
  },
  sentDelayMs: {
    env: 'TAPBACK_SANDBOX_SENT_DELAY_MS',
    flag: 'sandbox-sent-delay-ms',
    kind: 'int',
    default: '100',
    min: 0,
    max: 86_400_000,
    description: 'Sandbox: delivery attempt to SENT.',
  },
  deliveredDelayMs: {
    env: 'TAPBACK_SANDBOX_DELIVERED_DELAY_MS',
    flag: 'sandbox-delivered-delay-ms',
    kind: 'int',
    default: '400',
    min: 0,
    max: 86_400_000,
    description: 'Sandbox: SENT to DELIVERED (or ERROR).',
  },
  maxAttempts: {
    env: 'TAPBACK_DELIVERY_MAX_ATTEMPTS',
    kind: 'int',
    default: '5',
    min: 1,
    max: 100,
    description: 'Delivery attempts before a transiently failing message ends in ERROR.',
  },
  retryBaseMs: {
    env: 'TAPBACK_DELIVERY_RETRY_BASE_MS',
    kind: 'int',
    default: '1000',
    min: 1,
    max: 3_600_000,
    description: 'First retry delay; doubles per attempt.',
  },
  retryMaxMs: {
    env: 'TAPBACK_DELIVERY_RETRY_MAX_MS',
    kind: 'int',
    default: '300000',
    min: 1,
    max: 86_400_000,
    description: 'Longest retry delay.',
  },
  leaseMs: {
    env: 'TAPBACK_JOB_LEASE_MS',
    kind: 'int',
    default: '30000',
    min: 100,
    max: 3_600_000,
    description: 'How long a worker holds a job; a dead worker’s jobs run again after this.',
  },
  batchSize: {
    env: 'TAPBACK_WORKER_BATCH',
    kind: 'int',
    default: '100',
    min: 1,
    max: 10_000,
    description: 'Jobs claimed per round trip.',
  },
  pollMs: {
    env: 'TAPBACK_WORKER_POLL_MS',
    kind: 'int',
    default: '1000',
    min: 10,
    max: 60_000,
    description: 'Longest idle sleep of the worker.',
  },
  providerTimeoutMs: {
    env: 'TAPBACK_PROVIDER_TIMEOUT_MS',
    kind: 'int',
    default: '20000',
    min: 10,
    max: 600_000,
    description: 'A provider call running longer is aborted and retried.',
  },
  authFailureLimit: {
    env: 'TAPBACK_AUTH_FAILURE_LIMIT',
    kind: 'int',
    default: '100',
    min: 0,
    max: 1_000_000,
    description:
      'Failed authentications a minute from one client address before its further bad credentials get 429 `too_many_auth_failures` (valid keys still pass). Counted per process, in memory; 0 turns it off.',
  },
  retentionDays: {
    env: 'TAPBACK_RETENTION_DAYS',
    kind: 'int',
    default: '30',
    min: 0,
    max: 36_500,
    description:
      'Days finished webhook deliveries and their attempts are kept in the delivery log; 0 keeps them forever. Pending deliveries are never pruned.',
  },
  retentionMessagesDays: {
    env: 'TAPBACK_RETENTION_MESSAGES_DAYS',
    kind: 'int',
    default: '0',
    min: 0,
    max: 36_500,
    description:
      'Days messages in a final status (DELIVERED, ERROR, DECLINED, RECEIVED) are kept, with their receipts, webhook deliveries and `Idempotency-Key`s; 0 (the default) keeps them forever. QUEUED and SENT messages are never pruned.',
  },
  queueLimit: {
    env: 'TAPBACK_QUEUE_LIMIT',
    kind: 'int',
    default: '1500',
    min: 1,
    max: 10_000_000,
    description: 'Messages an account may have QUEUED before sends get 429.',
  },
  retryMatchWindowMs: {
    env: 'TAPBACK_RETRY_MATCH_WINDOW_MS',
    kind: 'int',
    default: '300000',
    min: 1,
    max: 86_400_000,
    description:
      'How long an official SDK retry (`X-Stainless-Retry-Count` ≥ 1) of an identical send replays its first response instead of storing a second message.',
  },
  listRateMax: {
    env: 'TAPBACK_LIST_RATE_MAX',
    kind: 'int',
    default: '100',
    min: 1,
    max: 1_000_000,
    description: '`GET /api/v2/messages` requests per window per account.',
  },
  listRateWindowMs: {
    env: 'TAPBACK_LIST_RATE_WINDOW_MS',
    kind: 'int',
    default: '10000',
    min: 100,
    max: 3_600_000,
    description: 'The list rate-limit window.',
  },
  waitMaxPending: {
    env: 'TAPBACK_WAIT_MAX_PENDING',
    kind: 'int',
    default: '50',
    min: 1,
    max: 10_000,
    description: '`GET /sandbox/wait` requests an account may have pending at once; more get 429.',
  },
  waitRateMax: {
    env: 'TAPBACK_WAIT_RATE_MAX',
    kind: 'int',
    default: '50',
    min: 1,
    max: 100_000,
    description:
      '`GET /sandbox/wait` requests per second per account (`timeout_ms=0` ones too); more get 429. Separate from the list’s limit.',
  },
  replayRateMax: {
    env: 'TAPBACK_REPLAY_RATE_MAX',
    kind: 'int',
    default: '10',
    min: 1,
    max: 1_000_000,
    description: '`POST /api/account/webhooks/deliveries/:id/replay` requests per window per account.',
  },
  replayRateWindowMs: {
    env: 'TAPBACK_REPLAY_RATE_WINDOW_MS',
    kind: 'int',
    default: '10000',
    min: 100,
    max: 3_600_000,
    description: 'The replay rate-limit window.',
  },
  httpMaxConnections: {
    env: 'TAPBACK_HTTP_MAX_CONNECTIONS',
    kind: 'int',
    default: '4096',
    min: 1,
    max: 1_000_000,
    description: 'Open HTTP connections at once; connections beyond it are closed as soon as they are accepted.',
  },
  httpHeadersTimeoutMs: {
    env: 'TAPBACK_HTTP_HEADERS_TIMEOUT_MS',
    kind: 'int',
    default: '10000',
    min: 500,
    max: 300_000,
    description:
      'A request whose headers have not all arrived this long after it started is answered 408 and its connection closed.',
  },
  httpKeepAliveTimeoutMs: {
    env: 'TAPBACK_HTTP_KEEP_ALIVE_TIMEOUT_MS',
    kind: 'int',
    default: '65000',
    min: 16_000,
    max: 3_600_000,
    description:
      'An idle keep-alive connection is closed after this long. Above 15 s so a client may idle between heartbeats; above 60 s so load balancers with the common 60 s idle timeout close first.',
  },
  eventsHeartbeatMs: {
    env: 'TAPBACK_EVENTS_HEARTBEAT_MS',
    kind: 'int',
    default: '15000',
    min: 10,
    max: 3_600_000,
    description: 'An event stream (`GET /api/v2/events`) sends a heartbeat comment this often.',
  },
  eventsMaxStreamMs: {
    env: 'TAPBACK_EVENTS_MAX_STREAM_MS',
    kind: 'int',
    default: '900000',
    min: 10,
    max: 86_400_000,
    description: 'An event stream is ended after this long (rotation); the client reconnects and repairs.',
  },
  eventsMaxStreamsPerAccount: {
    env: 'TAPBACK_EVENTS_MAX_STREAMS_PER_ACCOUNT',
    kind: 'int',
    default: '10',
    min: 1,
    max: 10_000,
    description: 'Event streams one account may have open on one server process; more get 429 `too_many_streams`.',
  },
  bootstrapApiKeyId: {
    env: 'TAPBACK_BOOTSTRAP_API_KEY_ID',
    kind: 'string',
    description: 'Fixes the bootstrap account’s key id (8–128 of `A-Za-z0-9_-`).',
  },
  bootstrapApiSecret: {
    env: 'TAPBACK_BOOTSTRAP_API_SECRET',
    kind: 'string',
    description:
      'Fixes that key’s secret (32–512 printable ASCII; long enough to be unguessable, since only its unsalted SHA-256 digest is stored).',
  },
  bootstrapLine: {
    env: 'TAPBACK_BOOTSTRAP_LINE',
    kind: 'string',
    description: 'Fixes the bootstrap sandbox line (E.164).',
  },
  allowPrivateCidrs: {
    env: 'TAPBACK_ALLOW_PRIVATE_CIDRS',
    kind: 'string',
    default: '127.0.0.0/8,::1/128',
    emptyIsValue: true,
    description:
      'Private address ranges that webhook, callback and media URLs may reach (comma list of CIDRs, or `none`; set but empty also means none). The default allows loopback for local development; production sets `none`.',
  },
  sessionTtlMs: {
    env: 'TAPBACK_SESSION_TTL_MS',
    kind: 'int',
    default: '43200000',
    min: 60_000,
    max: 2_592_000_000,
    description:
      'How long a web inbox session lasts after sign-in (default 12 h); it ends earlier on sign-out, when its key pair or token is revoked, or with its token’s expiry.',
  },
  secretKey: {
    env: 'TAPBACK_SECRET_KEY',
    kind: 'string',
    description:
      'Key that encrypts stored secrets (webhook signing secrets): 32 bytes as base64 or hex (`openssl rand -base64 32`). Required with PostgreSQL, the same in every process. Without it, SQLite uses the key file `<database>.key`, created on first start.',
  },
  webhookTimeoutMs: {
    env: 'TAPBACK_WEBHOOK_TIMEOUT_MS',
    kind: 'int',
    default: '15000',
    min: 100,
    max: 300_000,
    description: 'A webhook attempt taking longer is aborted and counted as failed.',
  },
  webhookRetrySchedule: {
    env: 'TAPBACK_WEBHOOK_RETRY_SCHEDULE',
    kind: 'string',
    default: DEFAULT_RETRY_SCHEDULE,
    description: 'Delay before each webhook attempt (comma list of durations like 5s, 5m, 2h; the first is 0).',
  },
  webhookConcurrency: {
    env: 'TAPBACK_WEBHOOK_CONCURRENCY',
    kind: 'int',
    default: '64',
    min: 1,
    max: 10_000,
    description: 'Webhook deliveries in flight at once.',
  },
  webhookConcurrencyPerDestination: {
    env: 'TAPBACK_WEBHOOK_CONCURRENCY_PER_DESTINATION',
    kind: 'int',
    default: '4',
    min: 1,
    max: 1_000,
    description:
      'Webhook deliveries in flight at once to one host of one account, so a slow endpoint cannot take every slot.',
  },
  webhookConcurrencyPerAccount: {
    env: 'TAPBACK_WEBHOOK_CONCURRENCY_PER_ACCOUNT',
    kind: 'int',
    default: '16',
    min: 1,
    max: 10_000,
    description:
      'Webhook deliveries in flight at once for one account over all its hosts (capped at `TAPBACK_WEBHOOK_CONCURRENCY`), so one account whose endpoints hang leaves the other slots to other accounts. Accounts take turns for free slots.',
  },
  mediaMaxBytes: {
    env: 'TAPBACK_MEDIA_MAX_BYTES',
    kind: 'int',
    default: '104857600',
    min: 1,
    max: 1_073_741_824,
    description:
      'Largest media file Tapback fetches and stores (upload-media-object, group photos; 100 MB, as Sendblue). A larger one is refused with `media_too_large`.',
  },
  mediaFetchTimeoutMs: {
    env: 'TAPBACK_MEDIA_FETCH_TIMEOUT_MS',
    kind: 'int',
    default: '30000',
    min: 100,
    max: 600_000,
    description:
      'A media fetch (connect, headers and the whole body) taking longer is aborted with `media_fetch_failed`.',
  },
  uploadMaxBytes: {
    env: 'TAPBACK_UPLOAD_MAX_BYTES',
    kind: 'int',
    default: '104857600',
    min: 1,
    max: 1_073_741_824,
    description:
      'Largest file `POST /api/upload-file` accepts (100 MB, as Sendblue). A larger one is refused with `413 payload_too_large` naming `file`, and nothing is kept.',
  },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export interface ConfigSources {
  /** Flags by their long name without dashes, e.g. `{ port: '5000' }`. */
  flags?: Record<string, string | undefined>;
  env?: Record<string, string | undefined>;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const flags = sources.flags ?? {};
  const env = sources.env ?? {};
  const raw = (key: ConfigKey): string | undefined => {
    const spec: KeySpec = CONFIG_KEYS[key];
    const fromFlag = spec.flag === undefined ? undefined : flags[spec.flag];
    if (fromFlag !== undefined) return fromFlag;
    const fromEnv = env[spec.env] ?? (key === 'databaseUrl' ? env.TAPBACK_DATABASE_URL : undefined);
    if (fromEnv !== undefined && (fromEnv !== '' || spec.emptyIsValue === true)) return fromEnv;
    return spec.default;
  };
  const str = (key: ConfigKey): string | undefined => raw(key);
  const int = (key: ConfigKey): number => {
    const spec: KeySpec = CONFIG_KEYS[key];
    const value = raw(key) ?? '';
    if (!/^\d+$/.test(value)) throw new ConfigError(spec.env, `"${value}" is not a whole number`);
    const n = Number(value);
    if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
      throw new ConfigError(spec.env, `${n} is outside ${spec.min}..${spec.max}`);
    }
    return n;
  };
  const oneOf = <T extends string>(key: ConfigKey): T => {
    const spec: KeySpec = CONFIG_KEYS[key];
    const value = raw(key) ?? '';
    if (!spec.values?.includes(value)) {
      throw new ConfigError(spec.env, `"${value}" is not one of ${spec.values?.join(', ')}`);
    }
    return value as T;
  };

  const databaseUrl = str('databaseUrl') ?? '';
  databaseLocation(databaseUrl); // refuses, at start-up, a URL that names no backend
  const bootstrap: Config['bootstrap'] = {};
  const keyId = str('bootstrapApiKeyId');
  const secret = str('bootstrapApiSecret');
  const line = str('bootstrapLine');
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new ConfigError(
      'TAPBACK_BOOTSTRAP_API_KEY_ID',
      'set both TAPBACK_BOOTSTRAP_API_KEY_ID and TAPBACK_BOOTSTRAP_API_SECRET, or neither',
    );
  }
  if (keyId !== undefined) {
    if (!/^[A-Za-z0-9_-]{8,128}$/.test(keyId))
      throw new ConfigError('TAPBACK_BOOTSTRAP_API_KEY_ID', 'must be 8-128 characters of A-Z a-z 0-9 _ -');
    bootstrap.apiKeyId = keyId;
  }
  if (secret !== undefined) {
    // Only an unsalted SHA-256 digest is stored (accounts/credentials.ts): what keeps a stolen
    // digest from being reversed is the secret's length, so short ones are refused.
    if (!/^[\x21-\x7e]{32,512}$/.test(secret))
      throw new ConfigError(
        'TAPBACK_BOOTSTRAP_API_SECRET',
        'must be 32-512 printable ASCII characters (e.g. `openssl rand -hex 24`)',
      );
    bootstrap.apiSecret = secret;
  }
  if (line !== undefined) {
    if (!/^\+[1-9]\d{1,14}$/.test(line))
      throw new ConfigError('TAPBACK_BOOTSTRAP_LINE', `"${line}" is not an E.164 number`);
    bootstrap.line = line;
  }
  if (bootstrap.line !== undefined && oneOf('sandbox') === 'off') {
    throw new ConfigError('TAPBACK_BOOTSTRAP_LINE', 'makes a sandbox line, but TAPBACK_SANDBOX is off');
  }
  const secretKey = str('secretKey');
  if (secretKey !== undefined) {
    try {
      parseSecretKey(secretKey);
    } catch (error) {
      throw new ConfigError('TAPBACK_SECRET_KEY', error instanceof Error ? error.message : String(error));
    }
  } else if (databaseDialect(databaseUrl) === 'postgres') {
    // A generated key would differ per process, and each would seal secrets the others cannot open.
    throw new ConfigError(
      'TAPBACK_SECRET_KEY',
      'must be set when DATABASE_URL is PostgreSQL, to the same key in every process (e.g. `openssl rand -base64 32`)',
    );
  }

  if (int('leaseMs') <= int('providerTimeoutMs')) {
    // A send still running when its lease ends is claimed again and sent a second time.
    throw new ConfigError(
      'TAPBACK_JOB_LEASE_MS',
      `must be longer than TAPBACK_PROVIDER_TIMEOUT_MS (${int('providerTimeoutMs')} ms), or a send still waiting for its network is sent twice`,
    );
  }
  const webhookConcurrency = int('webhookConcurrency');
  const perDestination = int('webhookConcurrencyPerDestination');
  if (perDestination > webhookConcurrency) {
    throw new ConfigError(
      'TAPBACK_WEBHOOK_CONCURRENCY_PER_DESTINATION',
      `${perDestination} exceeds TAPBACK_WEBHOOK_CONCURRENCY (${webhookConcurrency})`,
    );
  }
  // Capped rather than refused: the default must stay valid when only the global cap is lowered.
  const perAccount = Math.min(int('webhookConcurrencyPerAccount'), webhookConcurrency);
  const parsed = <T>(key: ConfigKey, parse: (text: string) => T): T => {
    try {
      return parse(str(key) ?? '');
    } catch (error) {
      throw new ConfigError(CONFIG_KEYS[key].env, error instanceof Error ? error.message : String(error));
    }
  };

  const publicUrl = str('publicUrl');
  if (publicUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(publicUrl);
    } catch {
      url = undefined;
    }
    if (
      url === undefined ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.search !== '' ||
      url.hash !== ''
    ) {
      throw new ConfigError('TAPBACK_PUBLIC_URL', `"${publicUrl}" is not an http:// or https:// base URL`);
    }
  }

  const config: Config = {
    ...(publicUrl === undefined ? {} : { publicUrl: publicUrl.replace(/\/+$/, '') }),
    blueBubblesPollMs: int('blueBubblesPollMs'),
    host: str('host') ?? '127.0.0.1',
    port: int('port'),
    databaseUrl,
    role: oneOf('role'),
    logLevel: oneOf('logLevel'),
    logFormat: oneOf('logFormat'),
    shutdownTimeoutMs: int('shutdownTimeoutMs'),
    sqliteThread: oneOf('sqliteThread') === 'on',
    ...(str('metricsToken') === undefined ? {} : { metricsToken: str('metricsToken') }),
    clock: oneOf('clock'),
    sandbox: { sentDelayMs: int('sentDelayMs'), deliveredDelayMs: int('deliveredDelayMs') },
    sandboxEnabled: oneOf('sandbox') === 'on',
    providers: {
      reloadMs: int('linesReloadMs'),
      reconnectBaseMs: int('providerReconnectBaseMs'),
      reconnectMaxMs: int('providerReconnectMaxMs'),
      degradedAfterFailures: int('providerDegradedAfter'),
      earlyReceiptTtlMs: int('earlyReceiptTtlMs'),
      lookupCacheTtlMs: int('lookupCacheTtlMs'),
    },
    delivery: {
      maxAttempts: int('maxAttempts'),
      retryBaseMs: int('retryBaseMs'),
      retryMaxMs: int('retryMaxMs'),
      leaseMs: int('leaseMs'),
      batchSize: int('batchSize'),
      pollMs: int('pollMs'),
      providerTimeoutMs: int('providerTimeoutMs'),
    },
    queueLimit: int('queueLimit'),
    authFailureLimit: int('authFailureLimit'),
    session: { ttlMs: int('sessionTtlMs') },
    retention: { webhookLogDays: int('retentionDays'), messagesDays: int('retentionMessagesDays') },
    retryMatchWindowMs: int('retryMatchWindowMs'),
    listRateLimit: { max: int('listRateMax'), windowMs: int('listRateWindowMs') },
    waitLimits: { maxPending: int('waitMaxPending'), perSecond: int('waitRateMax') },
    replayRateLimit: { max: int('replayRateMax'), windowMs: int('replayRateWindowMs') },
    http: {
      maxConnections: int('httpMaxConnections'),
      headersTimeoutMs: int('httpHeadersTimeoutMs'),
      keepAliveTimeoutMs: int('httpKeepAliveTimeoutMs'),
    },
    events: {
      heartbeatMs: int('eventsHeartbeatMs'),
      maxStreamMs: int('eventsMaxStreamMs'),
      maxStreamsPerAccount: int('eventsMaxStreamsPerAccount'),
    },
    bootstrap,
    ...(secretKey === undefined ? {} : { secretKey: secretKey.trim() }),
    webhooks: {
      allowPrivateCidrs: parsed('allowPrivateCidrs', parseCidrList),
      timeoutMs: int('webhookTimeoutMs'),
      retrySchedule: parsed('webhookRetrySchedule', parseRetrySchedule),
      concurrency: webhookConcurrency,
      concurrencyPerDestination: perDestination,
      concurrencyPerAccount: perAccount,
    },
    media: {
      maxBytes: int('mediaMaxBytes'),
      fetchTimeoutMs: int('mediaFetchTimeoutMs'),
      uploadMaxBytes: int('uploadMaxBytes'),
    },
  };
  return deepFreeze(config);
}

export type Role = 'api' | 'worker' | 'all';

/** Which backend a `DATABASE_URL` names, or undefined for none. */
export function databaseDialect(databaseUrl: string): 'sqlite' | 'postgres' | undefined {
  if (databaseUrl.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return 'postgres';
  return undefined;
}

export type DatabaseLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** Where a `DATABASE_URL` keeps the data, in the form `openStore` takes. */
export function databaseLocation(databaseUrl: string): DatabaseLocation {
  const dialect = databaseDialect(databaseUrl);
  if (dialect === undefined) {
    throw new ConfigError(
      'DATABASE_URL',
      `"${redactUrl(databaseUrl)}" is not supported; use sqlite:<path> or postgres://...`,
    );
  }
  return dialect === 'sqlite' ? { dialect, path: sqlitePath(databaseUrl) } : { dialect, url: databaseUrl };
}

/** The URL with any password replaced, for messages and banners. */
export function redactUrl(databaseUrl: string): string {
  return databaseUrl.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** The SQLite file path of a `sqlite:` URL. */
export function sqlitePath(databaseUrl: string): string {
  return databaseUrl.slice('sqlite:'.length);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
