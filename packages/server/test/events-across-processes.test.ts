import type SendblueAPI from 'sendblue';
import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT } from './support/api-helpers.js';
import { HAS_POSTGRES } from './support/backends.js';
import { SdkEventReader, sdkClient, testAgent } from './support/event-stream-reader.js';
import { type TestDatabase, createTestDatabase } from './support/postgres.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startTestServer } from './support/test-server.js';

/**
 * Two Tapback servers on one PostgreSQL database, each with its own pool and LISTEN connection
 * (as two processes have): an event published in one reaches the streams open on the other.
 */
describe.runIf(HAS_POSTGRES)('account events across processes on one PostgreSQL database', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let agent: Agent;
  let clientA: SendblueAPI;
  let clientB: SendblueAPI;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestServer({ DATABASE_URL: db.url });
    b = await startTestServer({ DATABASE_URL: db.url });
    agent = testAgent();
    clientA = sdkClient(agent, a.url, TEST_KEY_ID, TEST_SECRET);
    clientB = sdkClient(agent, b.url, TEST_KEY_ID, TEST_SECRET);
  });
  afterAll(async () => {
    await agent.destroy();
    await a.close();
    await b.close();
    await db.dispose();
  });

  it('delivers a send accepted by one process, and its status changes, to a stream open on the other', async () => {
    // A line's health change (ONLINE once its provider connects) may land at any moment after start.
    const onB = await SdkEventReader.open(clientB, { types: 'message.created,message.updated' });
    try {
      const sent = await clientA.messages.send({ number: CONTACT, from_number: a.line, content: 'across' });
      const events = await onB.until((e) => e.some((x) => x.data.status === 'DELIVERED'));
      expect(events.map((e) => [e.type, e.data.message_handle, e.data.status])).toEqual([
        ['message.created', sent.message_handle, 'QUEUED'],
        ['message.updated', sent.message_handle, 'SENT'],
        ['message.updated', sent.message_handle, 'DELIVERED'],
      ]);
    } finally {
      onB.close();
    }
  });

  it('sends an event too large for NOTIFY without its data to the other process, whole to its own', async () => {
    const onA = await SdkEventReader.open(clientA, { types: 'contact.created' });
    const onB = await SdkEventReader.open(clientB, { types: 'contact.created' });
    try {
      const accountId = (await a.server.store.findApiKey(TEST_KEY_ID))?.accountId ?? 0;
      const big = { note: 'x'.repeat(10_000) };
      a.server.accountEvents.publish({ accountId, type: 'contact.created', occurredAt: Date.now(), data: big });
      const [fromB] = await onB.until((e) => e.length === 1);
      const [fromA] = await onA.until((e) => e.length === 1);
      expect(fromA).toMatchObject({ type: 'contact.created', data: big });
      expect(fromB).toMatchObject({ id: fromA?.id, type: 'contact.created', data: { data_omitted: true } });
    } finally {
      onA.close();
      onB.close();
    }
  });
});
