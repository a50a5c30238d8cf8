/**
 * Configuration: read once at start-up, validated, frozen. Precedence: CLI flag > environment
 * variable > default. This module is the only reader of `process.env` (callers pass it in).
 * Every key is documented in the README's configuration table, which a test keeps in step with
 * `CONFIG_KEYS` below.
 */
export interface Config {
  host: string;
  port: number;
  /** `sqlite:<path>` (or `sqlite::memory:`); `postgres://` arrives with the PostgreSQL backend. */
  databaseUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  clock: 'system' | 'manual';
  sandbox: { sentDelayMs: number; deliveredDelayMs: number };
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
  listRateLimit: { max: number; windowMs: number };
  bootstrap: { apiKeyId?: string; apiSecret?: string; line?: string };
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
  description: string;
}

/** Every setting, with its environment variable, flag, default and meaning. */
export const CONFIG_KEYS = {
  host: { env: 'TAPBACK_HOST', flag: 'host', kind: 'string', default: '127.0.0.1', description: 'Address to listen on.' },
  port: { env: 'TAPBACK_PORT', flag: 'port', kind: 'int', default: '4010', min: 0, max: 65535, description: 'Port to listen on (0 picks a free one).' },
  databaseUrl: { env: 'DATABASE_URL', flag: 'database-url', kind: 'string', default: 'sqlite:./data/tapback.db', description: 'Where data lives: `sqlite:<file>`. Also read from `TAPBACK_DATABASE_URL`.' },
  logLevel: { env: 'TAPBACK_LOG_LEVEL', flag: 'log-level', kind: 'enum', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], description: 'pino log level.' },
  clock: { env: 'TAPBACK_CLOCK', flag: 'clock', kind: 'enum', default: 'system', values: ['system', 'manual'], description: '`manual` freezes time; move it with `POST /sandbox/clock/advance`.' },
  sentDelayMs: { env: 'TAPBACK_SANDBOX_SENT_DELAY_MS', flag: 'sandbox-sent-delay-ms', kind: 'int', default: '100', min: 0, max: 86_400_000, description: 'Sandbox: delivery attempt to SENT.' },
  deliveredDelayMs: { env: 'TAPBACK_SANDBOX_DELIVERED_DELAY_MS', flag: 'sandbox-delivered-delay-ms', kind: 'int', default: '400', min: 0, max: 86_400_000, description: 'Sandbox: SENT to DELIVERED (or ERROR).' },
  maxAttempts: { env: 'TAPBACK_DELIVERY_MAX_ATTEMPTS', kind: 'int', default: '5', min: 1, max: 100, description: 'Delivery attempts before a transiently failing message ends in ERROR.' },
  retryBaseMs: { env: 'TAPBACK_DELIVERY_RETRY_BASE_MS', kind: 'int', default: '1000', min: 1, max: 3_600_000, description: 'First retry delay; doubles per attempt.' },
  retryMaxMs: { env: 'TAPBACK_DELIVERY_RETRY_MAX_MS', kind: 'int', default: '300000', min: 1, max: 86_400_000, description: 'Longest retry delay.' },
  leaseMs: { env: 'TAPBACK_JOB_LEASE_MS', kind: 'int', default: '30000', min: 100, max: 3_600_000, description: 'How long a worker holds a job; a dead worker’s jobs run again after this.' },
  batchSize: { env: 'TAPBACK_WORKER_BATCH', kind: 'int', default: '100', min: 1, max: 10_000, description: 'Jobs claimed per round trip.' },
  pollMs: { env: 'TAPBACK_WORKER_POLL_MS', kind: 'int', default: '1000', min: 10, max: 60_000, description: 'Longest idle sleep of the worker.' },
  providerTimeoutMs: { env: 'TAPBACK_PROVIDER_TIMEOUT_MS', kind: 'int', default: '20000', min: 10, max: 600_000, description: 'A provider call running longer is aborted and retried.' },
  queueLimit: { env: 'TAPBACK_QUEUE_LIMIT', kind: 'int', default: '1500', min: 1, max: 10_000_000, description: 'Messages an account may have QUEUED before sends get 429.' },
  listRateMax: { env: 'TAPBACK_LIST_RATE_MAX', kind: 'int', default: '100', min: 1, max: 1_000_000, description: '`GET /api/v2/messages` requests per window per account.' },
  listRateWindowMs: { env: 'TAPBACK_LIST_RATE_WINDOW_MS', kind: 'int', default: '10000', min: 100, max: 3_600_000, description: 'The list rate-limit window.' },
  bootstrapApiKeyId: { env: 'TAPBACK_BOOTSTRAP_API_KEY_ID', kind: 'string', description: 'Fixes the bootstrap account’s key id (8–128 of `A-Za-z0-9_-`).' },
  bootstrapApiSecret: { env: 'TAPBACK_BOOTSTRAP_API_SECRET', kind: 'string', description: 'Fixes that key’s secret (16–512 printable ASCII).' },
  bootstrapLine: { env: 'TAPBACK_BOOTSTRAP_LINE', kind: 'string', description: 'Fixes the bootstrap sandbox line (E.164).' },
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
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
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
  if (!databaseUrl.startsWith('sqlite:')) {
    throw new ConfigError('DATABASE_URL', `"${databaseUrl}" is not supported; use sqlite:<path>`);
  }
  const bootstrap: Config['bootstrap'] = {};
  const keyId = str('bootstrapApiKeyId');
  const secret = str('bootstrapApiSecret');
  const line = str('bootstrapLine');
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new ConfigError('TAPBACK_BOOTSTRAP_API_KEY_ID', 'set both TAPBACK_BOOTSTRAP_API_KEY_ID and TAPBACK_BOOTSTRAP_API_SECRET, or neither');
  }
  if (keyId !== undefined) {
    if (!/^[A-Za-z0-9_-]{8,128}$/.test(keyId)) throw new ConfigError('TAPBACK_BOOTSTRAP_API_KEY_ID', 'must be 8-128 characters of A-Z a-z 0-9 _ -');
    bootstrap.apiKeyId = keyId;
  }
  if (secret !== undefined) {
    if (!/^[\x21-\x7e]{16,512}$/.test(secret)) throw new ConfigError('TAPBACK_BOOTSTRAP_API_SECRET', 'must be 16-512 printable ASCII characters');
    bootstrap.apiSecret = secret;
  }
  if (line !== undefined) {
    if (!/^\+[1-9]\d{1,14}$/.test(line)) throw new ConfigError('TAPBACK_BOOTSTRAP_LINE', `"${line}" is not an E.164 number`);
    bootstrap.line = line;
  }

  const config: Config = {
    host: str('host') ?? '127.0.0.1',
    port: int('port'),
    databaseUrl,
    logLevel: oneOf('logLevel'),
    clock: oneOf('clock'),
    sandbox: { sentDelayMs: int('sentDelayMs'), deliveredDelayMs: int('deliveredDelayMs') },
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
    listRateLimit: { max: int('listRateMax'), windowMs: int('listRateWindowMs') },
    bootstrap,
  };
  return deepFreeze(config);
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
