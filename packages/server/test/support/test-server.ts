import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { type Server, startServer } from '../../src/main.js';
import { type ServerBackend, TEST_SECRET_KEY } from './backends.js';
import { tempDir } from './temp-dir.js';

export const TEST_KEY_ID = 'test-key-id-0001';
export const TEST_SECRET = 'test-secret-0001-abcdefghijklmnop';
export const TEST_LINE = '+15550001000';

export interface TestServer {
  server: Server;
  url: string;
  databaseUrl: string;
  /** Headers that authenticate as the bootstrap account. */
  auth: Record<string, string>;
  line: string;
  close(): Promise<void>;
}

/**
 * A real Tapback server on a loopback port with its own SQLite file (or `env.DATABASE_URL`),
 * bootstrapped with fixed credentials. `env` overrides any TAPBACK_* setting (e.g.
 * `TAPBACK_CLOCK: 'manual'`).
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = env.DATABASE_URL === undefined ? tempDir() : undefined;
  const databaseUrl = env.DATABASE_URL ?? `sqlite:${dir?.path ?? ''}/tapback.db`;
  const config = loadConfig({
    env: {
      TAPBACK_PORT: '0',
      TAPBACK_LOG_LEVEL: 'silent',
      TAPBACK_BOOTSTRAP_API_KEY_ID: TEST_KEY_ID,
      TAPBACK_BOOTSTRAP_API_SECRET: TEST_SECRET,
      TAPBACK_BOOTSTRAP_LINE: TEST_LINE,
      ...(env.DATABASE_URL?.startsWith('postgres') === true ? { TAPBACK_SECRET_KEY: TEST_SECRET_KEY } : {}),
      ...env,
      DATABASE_URL: databaseUrl,
    },
  });
  const server = await startServer(config, pino({ level: config.logLevel }));
  return {
    server,
    url: server.url,
    databaseUrl,
    auth: { 'sb-api-key-id': TEST_KEY_ID, 'sb-api-secret-key': TEST_SECRET },
    line: TEST_LINE,
    close: async () => {
      await server.close();
      dir?.cleanup();
    },
  };
}

/**
 * `startTestServer` on a fresh database of `backend` (one of SERVER_BACKENDS), which `close()`
 * deletes again: `describe.each(SERVER_BACKENDS)` runs a server test on every backend.
 */
export async function startBackendServer(
  backend: ServerBackend,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const db = await backend.createDatabase();
  let server: TestServer;
  try {
    server = await startTestServer({ ...env, DATABASE_URL: db.url });
  } catch (error) {
    await db.dispose();
    throw error;
  }
  return {
    ...server,
    close: async () => {
      try {
        await server.close();
      } finally {
        await db.dispose();
      }
    },
  };
}
