import SendblueAPI from 'sendblue';
import type { ServerBackend } from './backends.js';
import { BlueBubblesStandin } from './bluebubbles-standin.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './test-server.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

/** A real server with an iMessage line on a BlueBubbles stand-in, a webhook receiver and the SDK. */
export interface BlueBubblesLine {
  server: TestServer;
  bb: BlueBubblesStandin;
  client: SendblueAPI;
  hooks: Receiver;
  /** The account the line belongs to (the test server's bootstrapped one). */
  accountId: number;
  close(): Promise<void>;
}

/**
 * Starts a stand-in, a receiver and a server on `backend` (providers reloaded every 100 ms,
 * loopback webhooks allowed), and adds `line` as a BlueBubbles line on the stand-in. `pollMs` is
 * the poller's interval: far apart where a test wants everything by webhook.
 */
export async function startBlueBubblesLine(
  backend: ServerBackend,
  input: { line: string; pollMs: number; sdk?: ConstructorParameters<typeof SendblueAPI>[0] },
): Promise<BlueBubblesLine> {
  const bb = await BlueBubblesStandin.start({ deliverAfterMs: null });
  const hooks = await startReceiver();
  const server = await startBackendServer(backend, {
    TAPBACK_LINES_RELOAD_MS: '100',
    TAPBACK_BLUEBUBBLES_POLL_MS: String(input.pollMs),
    TAPBACK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8',
  });
  const client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, ...input.sdk });
  const account = await server.server.store.findAccountByEmail('dev@tapback.local');
  if (account === undefined) throw new Error('the test server has no bootstrapped account');
  await server.server.store.addLine({
    accountId: account.id,
    number: input.line,
    provider: 'bluebubbles',
    settings: { url: bb.url, password: bb.password },
    now: Date.now(),
  });
  return {
    server,
    bb,
    client,
    hooks,
    accountId: account.id,
    close: async () => {
      await server.close();
      await bb.stop();
      await hooks.close();
    },
  };
}
