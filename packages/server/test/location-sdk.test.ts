import SendblueAPI, { BadRequestError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Tenant, addTenant, advanceClock } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * Find My location sharing through the official SDK: a request, the sandbox contact accepting and
 * getting a fix on the manual clock, reads, and a live `watch` stream that follows the changes and
 * ends when the client aborts or its bearer token expires.
 */
const OTHER_LINE = '+15550007001';
const SMS_CONTACT = '+15557770001';
const APPLE_PARK = {
  latitude: 37.33482,
  longitude: -122.00893,
  altitude: 20,
  accuracy: 35,
  address: 'One Apple Park Way, Cupertino, CA 95014, United States',
  locationType: 'live',
};

type WatchStream = Awaited<ReturnType<SendblueAPI['location']['watch']>>;
type WatchEvent = SendblueAPI.LocationWatchResponse;

/** Reads a watch stream one event at a time. */
function reader(stream: WatchStream): () => Promise<WatchEvent | 'ended'> {
  const it = stream[Symbol.asyncIterator]();
  return async () => {
    const next = await it.next();
    return next.done === true ? 'ended' : next.value;
  };
}

describe.each(SERVER_BACKENDS)('location sharing through the official SDK ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;
  let other: Tenant;
  let otherClient: SendblueAPI;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
    other = await addTenant(server, 'other@example.com', OTHER_LINE);
    otherClient = new SendblueAPI({
      apiKey: other.auth['sb-api-key-id'] ?? '',
      apiSecret: other.auth['sb-api-secret-key'] ?? '',
      baseURL: server.url,
      maxRetries: 0,
    });
  });
  afterAll(() => server.close());

  it('asks a contact, who accepts after 1 s and shares a fix after 2 s; reads follow', async () => {
    const contact = '+19998887771';
    const from = { from_number: server.line };
    const requestedAt = server.server.clock.now();
    const requested = await client.requestLocation.create({ from_number: server.line, number: contact });
    expect(requested).toEqual({
      status: 'QUEUED',
      message: 'Location request accepted for dispatch',
      message_handle: expect.stringMatching(/^[0-9a-f-]{36}$/),
      uuid: requested.message_handle,
      number: contact,
    });
    expect(await client.location.retrieve(contact, from)).toEqual({
      status: 'OK',
      from_number: server.line,
      number: contact,
      state: 'not_shared',
    });
    expect((await client.location.list(from)).locations).toEqual([]);

    await advanceClock(server, 1_000);
    expect((await client.location.retrieve(contact, from)).state).toBe('shared_no_fix_yet');
    expect((await client.location.list(from)).locations).toEqual([{ number: contact, state: 'shared_no_fix_yet' }]);

    await advanceClock(server, 1_000);
    const location = { ...APPLE_PARK, timestamp: new Date(requestedAt + 2_000).toISOString() };
    expect(await client.location.retrieve(contact, from)).toEqual({
      status: 'OK',
      from_number: server.line,
      number: contact,
      state: 'shared_with_fix',
      location,
    });
    expect(await client.location.list(from)).toEqual({
      status: 'OK',
      from_number: server.line,
      locations: [{ number: contact, state: 'shared_with_fix', location }],
    });
    // Asking again does not take the share back.
    await client.requestLocation.create({ from_number: server.line, number: contact });
    expect((await client.location.retrieve(contact, from)).state).toBe('shared_with_fix');
  });

  it('never shares for a contact iMessage does not reach', async () => {
    await client.requestLocation.create({ from_number: server.line, number: SMS_CONTACT });
    await advanceClock(server, 10_000);
    expect((await client.location.retrieve(SMS_CONTACT, { from_number: server.line })).state).toBe('not_shared');
  });

  it('refuses bad numbers and other accounts’ lines as SDK BadRequestErrors naming the field', async () => {
    const cases: [() => Promise<unknown>, string][] = [
      () => client.requestLocation.create({ from_number: server.line, number: '12345' }),
      () => client.requestLocation.create({ from_number: OTHER_LINE, number: '+19998887772' }),
      () => client.location.list({ from_number: OTHER_LINE }),
      () => client.location.retrieve('+19998887771', { from_number: 'nope' }),
      () => client.location.retrieve('bad', { from_number: server.line }),
    ].map((call, i) => [call, ['number', 'from_number', 'from_number', 'from_number', 'number'][i] ?? '']);
    for (const [call, field] of cases) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect(JSON.stringify((error as BadRequestError).error)).toContain(field);
    }
  });

  it('keeps shares to the account whose line was asked', async () => {
    const contact = '+19998887773';
    await client.requestLocation.create({ from_number: server.line, number: contact });
    await advanceClock(server, 2_000);
    expect((await otherClient.location.retrieve(contact, { from_number: OTHER_LINE })).state).toBe('not_shared');
    expect((await otherClient.location.list({ from_number: OTHER_LINE })).locations).toEqual([]);
  });

  it('watches a share live: ready, then each change, until the client aborts', async () => {
    const contact = '+19998887774';
    await client.requestLocation.create({ from_number: server.line, number: contact });
    const stream = await client.location.watch(contact, { from_number: server.line });
    const next = reader(stream);
    expect(await next()).toEqual({ status: 'OK', from_number: server.line, number: contact });
    expect(await next()).toMatchObject({ number: contact, state: 'not_shared' });
    await advanceClock(server, 1_000);
    expect(await next()).toMatchObject({ number: contact, state: 'shared_no_fix_yet' });
    await advanceClock(server, 1_000);
    expect(await next()).toMatchObject({ number: contact, state: 'shared_with_fix', location: APPLE_PARK });
    stream.controller.abort();
    expect(await next()).toBe('ended');
  });

  it('ends a bearer token’s watch at the token’s expiry with complete (authorization_revoked)', async () => {
    const contact = '+19998887775';
    await client.requestLocation.create({ from_number: server.line, number: contact });
    await advanceClock(server, 2_000);
    const { token } = await client.auth.tokens.create({ expires_in_seconds: 60 });
    const bearer = new SendblueAPI({ accessToken: token, baseURL: server.url, maxRetries: 0 });
    const next = reader(await bearer.location.watch(contact, { from_number: server.line }));
    expect(await next()).toEqual({ status: 'OK', from_number: server.line, number: contact });
    expect(await next()).toMatchObject({ state: 'shared_with_fix' });
    await advanceClock(server, 60_000);
    expect(await next()).toMatchObject({ number: contact, reason: 'authorization_revoked' });
    expect(await next()).toBe('ended');
  });

  it('answers a watch of a contact never asked with one complete (not_shared)', async () => {
    const next = reader(await client.location.watch('+19998887776', { from_number: server.line }));
    expect(await next()).toEqual({
      status: 'OK',
      from_number: server.line,
      number: '+19998887776',
      state: 'not_shared',
      reason: 'not_shared',
    });
    expect(await next()).toBe('ended');
  });
});
