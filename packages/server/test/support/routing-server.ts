import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import type { ProviderFactory } from '../../src/delivery/providers/provider.js';
import { startServer } from '../../src/main.js';
import { type ServerBackend, TEST_SECRET_KEY } from './backends.js';
import { TEST_KEY_ID, TEST_LINE, TEST_SECRET, type TestServer } from './test-server.js';

/**
 * `startBackendServer` with provider kinds beyond the built-in ones (a scripted iMessage network):
 * a real server on a fresh database of `backend`, bootstrapped with the test credentials.
 */
export async function startServerWithProviders(
  backend: ServerBackend,
  factories: readonly ProviderFactory<unknown>[],
  env: Record<string, string> = {},
): Promise<TestServer> {
  const db = await backend.createDatabase();
  try {
    const config = loadConfig({
      env: {
        TAPBACK_PORT: '0',
        TAPBACK_LOG_LEVEL: 'silent',
        TAPBACK_BOOTSTRAP_API_KEY_ID: TEST_KEY_ID,
        TAPBACK_BOOTSTRAP_API_SECRET: TEST_SECRET,
        TAPBACK_BOOTSTRAP_LINE: TEST_LINE,
        ...(db.url.startsWith('postgres') ? { TAPBACK_SECRET_KEY: TEST_SECRET_KEY } : {}),
        ...env,
        DATABASE_URL: db.url,
      },
    });
    const server = await startServer(config, pino({ level: config.logLevel }), { providerFactories: factories });
    return {
      server,
      url: server.url,
      databaseUrl: db.url,
      auth: { 'sb-api-key-id': TEST_KEY_ID, 'sb-api-secret-key': TEST_SECRET },
      line: TEST_LINE,
      close: async () => {
        try {
          await server.close();
        } finally {
          await db.dispose();
        }
      },
    };
  } catch (error) {
    await db.dispose();
    throw error;
  }
}
