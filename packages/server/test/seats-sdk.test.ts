import SendblueAPI, { BadRequestError, NotFoundError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Tenant, addTenant } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/** `v2.seats` through the official SDK: every account has its owner's seat, and sees only its own. */
describe.each(SERVER_BACKENDS)('seats through the official SDK ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;
  let other: Tenant;
  let otherClient: SendblueAPI;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
    other = await addTenant(server, 'other@example.com', '+15550007001');
    otherClient = new SendblueAPI({
      apiKey: other.auth['sb-api-key-id'] ?? '',
      apiSecret: other.auth['sb-api-secret-key'] ?? '',
      baseURL: server.url,
      maxRetries: 0,
    });
  });
  afterAll(() => server.close());

  it('lists, counts and retrieves the account owner’s seat, by seat_id and by auth subject', async () => {
    const seats = await client.v2.seats.list();
    expect(seats).toEqual([
      {
        seat_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: 'dev@tapback.local',
        first_name: 'Account',
        last_name: 'Owner',
        forwarding_number: null,
        account: 'dev@tapback.local',
        created_at: new Date(server.server.clock.now()).toISOString(),
      },
    ]);
    const seat = seats[0]!;
    // Reading again makes no second owner seat.
    expect(await client.v2.seats.count()).toEqual({ count: 1 });
    expect(await client.v2.seats.retrieve(seat.seat_id ?? '')).toEqual({ status: 'OK', seat });
    const key = await server.server.store.findApiKey(TEST_KEY_ID);
    expect((await client.v2.seats.retrieve(`owner-${key?.accountId}`)).seat).toEqual(seat);
  });

  it('filters by exact email and pages with limit and offset', async () => {
    expect(await client.v2.seats.list({ email: 'dev@tapback.local' })).toHaveLength(1);
    expect(await client.v2.seats.list({ email: 'DEV@tapback.local' })).toEqual([]);
    expect(await client.v2.seats.count({ email: 'nobody@example.com' })).toEqual({ count: 0 });
    expect(await client.v2.seats.list({ limit: 1, offset: 1 })).toEqual([]);
    expect(await client.v2.seats.list({ offset: 0, limit: 1 })).toHaveLength(1);
  });

  it('refuses a bad limit or offset as an SDK BadRequestError naming it', async () => {
    for (const query of [{ limit: 0 }, { limit: 1001 }, { offset: -1 }]) {
      const error = await client.v2.seats.list(query).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect(JSON.stringify((error as BadRequestError).error)).toContain(Object.keys(query)[0]);
    }
  });

  it('keeps each account’s seats to itself: another account’s seat is a 404', async () => {
    const mine = (await client.v2.seats.list())[0]!;
    const theirs = await otherClient.v2.seats.list();
    expect(theirs.map((s) => s.email)).toEqual(['other@example.com']);
    expect(theirs[0]?.seat_id).not.toBe(mine.seat_id);
    await expect(otherClient.v2.seats.retrieve(mine.seat_id ?? '')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.v2.seats.retrieve(`owner-${other.accountId}`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.v2.seats.retrieve('no-such-seat')).rejects.toBeInstanceOf(NotFoundError);
  });
});
