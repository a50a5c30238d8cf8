import SendblueAPI from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_POSTGRES } from './support/backends.js';
import { type MediaOrigin, PNG, startMediaOrigin } from './support/media-origin.js';
import { type TestDatabase, createTestDatabase } from './support/postgres.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startTestServer } from './support/test-server.js';

/**
 * Media bytes live in the database, so every process of a PostgreSQL deployment serves every
 * object: uploaded through one server process, read through another on the same database.
 */
describe.skipIf(!HAS_POSTGRES)('media objects across two server processes on one PostgreSQL database', () => {
  let db: TestDatabase;
  let origin: MediaOrigin;
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    origin = await startMediaOrigin();
    first = await startTestServer({ DATABASE_URL: db.url });
    second = await startTestServer({ DATABASE_URL: db.url });
  }, 120_000);
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await origin?.close();
    await db?.dispose();
  });

  it('serves through the second process what was uploaded through the first', async () => {
    const client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: first.url, maxRetries: 0 });
    const uploaded = (await client.mediaObjects.upload({ media_url: `${origin.url}/photo.png` })) as {
      media_url: string;
    };
    const path = new URL(uploaded.media_url).pathname;
    const res = await fetch(`${second.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('shows a group photo set through one process on the group read through the other', async () => {
    const one = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: first.url, maxRetries: 0 });
    const two = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: second.url, maxRetries: 0 });
    const sent = (await one.groups.sendMessage({
      from_number: first.line,
      numbers: ['+19998887777', '+19998886666'],
      content: 'hi',
    })) as { group_id: string };
    const set = await one.v2.groups.setPhoto(sent.group_id, { photo_url: `${origin.url}/photo.png` });
    const read = await two.v2.groups.retrieve(sent.group_id);
    expect(read.data?.group_photo?.photo_guid).toBe(set.data.group_photo?.photo_guid);
    const photo = await fetch(`${second.url}${new URL(set.data.group_photo?.url ?? '').pathname}`);
    expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
  });
});
