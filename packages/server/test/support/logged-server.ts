import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { startServer } from '../../src/main.js';
import { type ServerBackend, TEST_SECRET_KEY } from './backends.js';
import { TEST_KEY_ID, TEST_LINE, TEST_SECRET, type TestServer } from './test-server.js';

/** A test server whose log lines (pino JSON) are kept, parsed, for tests about what is logged. */
export interface LoggedServer extends TestServer {
  /** Every log line so far, parsed. */
  logs(): Record<string, unknown>[];
  /** Every log line so far, as written. */
  rawLogs(): string;
}

/** `startBackendServer` with its logs captured at `level` (debug by default) instead of silenced. */
export async function startLoggedServer(
  backend: ServerBackend,
  env: Record<string, string> = {},
  level = 'debug',
): Promise<LoggedServer> {
  const db = await backend.createDatabase();
  let raw = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw += chunk.toString();
      done();
    },
  });
  const config = loadConfig({
    env: {
      TAPBACK_PORT: '0',
      TAPBACK_BOOTSTRAP_API_KEY_ID: TEST_KEY_ID,
      TAPBACK_BOOTSTRAP_API_SECRET: TEST_SECRET,
      TAPBACK_BOOTSTRAP_LINE: TEST_LINE,
      ...(db.url.startsWith('postgres') ? { TAPBACK_SECRET_KEY: TEST_SECRET_KEY } : {}),
      ...env,
      DATABASE_URL: db.url,
    },
  });
  const server = await startServer(config, pino({ level }, sink)).catch(async (error: unknown) => {
    await db.dispose();
    throw error;
  });
  return {
    server,
    url: server.url,
    databaseUrl: db.url,
    auth: { 'sb-api-key-id': TEST_KEY_ID, 'sb-api-secret-key': TEST_SECRET },
    line: TEST_LINE,
    logs: () =>
      raw
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    rawLogs: () => raw,
    close: async () => {
      try {
        await server.close();
      } finally {
        await db.dispose();
      }
    },
  };
}
