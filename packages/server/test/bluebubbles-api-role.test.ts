import SendblueAPI from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_POSTGRES } from './support/backends.js';
import { BlueBubblesStandin } from './support/bluebubbles-standin.js';
import { type TestDatabase, createTestDatabase } from './support/postgres.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startTestServer } from './support/test-server.js';
import { type Receiver, eventually, startReceiver } from './support/webhook-receiver.js';

/**
 * BlueBubbles webhooks landing on an API-role process: the worker process runs the provider and
 * registers the webhook under TAPBACK_PUBLIC_URL (the API process), which maps and applies the
 * events through the shared PostgreSQL database, without a provider of its own.
 */
const LINE = '+15550006000';
const CONTACT = '+14155550166';

describe.runIf(HAS_POSTGRES)('BlueBubbles webhooks on an API-role process (postgres)', () => {
  let db: TestDatabase;
  let api: TestServer;
  let worker: TestServer;
  let bb: BlueBubblesStandin;
  let hooks: Receiver;
  let client: SendblueAPI;

  beforeAll(async () => {
    db = await createTestDatabase();
    bb = await BlueBubblesStandin.start();
    hooks = await startReceiver();
    const common = {
      DATABASE_URL: db.url,
      TAPBACK_LINES_RELOAD_MS: '100',
      TAPBACK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8',
      // Far apart: the message below can only arrive by webhook.
      TAPBACK_BLUEBUBBLES_POLL_MS: '600000',
    };
    api = await startTestServer({ ...common, TAPBACK_ROLE: 'api' });
    worker = await startTestServer({ ...common, TAPBACK_ROLE: 'worker', TAPBACK_PUBLIC_URL: api.url });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: api.url });
    const account = await api.server.store.findAccountByEmail('dev@tapback.local');
    await api.server.store.addLine({
      accountId: account!.id,
      number: LINE,
      provider: 'bluebubbles',
      settings: { url: bb.url, password: bb.password },
      now: Date.now(),
    });
    await client.webhooks.create({ webhooks: [`${hooks.url}/receive`], type: 'receive' });
    await eventually(() => (bb.registeredWebhooks().length === 1 ? true : undefined));
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await bb?.stop();
    await hooks?.close();
    await db?.dispose();
  });

  it('registers the API process’s URL and stores the contact’s message it receives there', async () => {
    const [hook] = bb.registeredWebhooks();
    expect(hook!.url.startsWith(`${api.url}/network-hooks/bluebubbles/`)).toBe(true);
    bb.receive({ from: CONTACT, text: 'through the API process' });
    const body = await eventually(() =>
      hooks.received.find((r) => r.path === '/receive' && r.body.includes('through the API process')),
    );
    expect(JSON.parse(body.body)).toMatchObject({ number: CONTACT, sendblue_number: LINE, is_outbound: false });
    expect(bb.posts.some((p) => p.url === hook!.url && p.outcome === 200)).toBe(true);
  });
});
