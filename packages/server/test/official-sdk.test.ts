import SendblueAPI, { AuthenticationError, BadRequestError, NotFoundError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, advanceClock } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * End to end: the official `sendblue` SDK, unmodified but for `baseURL`, drives the four Messages
 * operations against a real listening Tapback over loopback HTTP.
 */
describe.each(SERVER_BACKENDS)('the official sendblue SDK against Tapback ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url });
  });
  afterAll(() => server.close());

  it('sends a message and watches it reach DELIVERED through getStatus', async () => {
    const sent = await client.messages.send({
      number: CONTACT,
      from_number: server.line,
      content: 'Hello from the SDK',
    });
    expect(sent).toMatchObject({
      status: 'QUEUED',
      account_email: 'dev@tapback.local',
      number: CONTACT,
      from_number: server.line,
      content: 'Hello from the SDK',
      is_outbound: true,
    });
    const handle = sent.message_handle ?? '';
    expect(handle).not.toBe('');

    const seen: (string | undefined)[] = [sent.status];
    // Sandbox timing: SENT 100 ms after the delivery attempt, DELIVERED 400 ms after that.
    for (const ms of [100, 400]) {
      await advanceClock(server, ms);
      seen.push((await client.messages.getStatus({ handle })).status);
    }
    expect(seen).toEqual(['QUEUED', 'SENT', 'DELIVERED']);
  });

  it('retrieves a message by its handle', async () => {
    const sent = await client.messages.send({ number: CONTACT, from_number: server.line, content: 'retrieve me' });
    const handle = sent.message_handle ?? '';
    const retrieved = await client.messages.retrieve(handle);
    expect(retrieved.status).toBe('OK');
    expect(retrieved.data).toMatchObject({ message_handle: handle, content: 'retrieve me', status: 'QUEUED' });
  });

  it('lists messages with the documented filters and pagination', async () => {
    const sent = await client.messages.send({
      number: CONTACT,
      from_number: server.line,
      content: 'listed',
      send_style: 'confetti',
    });
    await advanceClock(server, 1_000);
    const page = await client.messages.list({
      is_outbound: 'true',
      sendblue_number: server.line,
      status: 'DELIVERED',
      service: 'iMessage',
      order_by: 'createdAt',
      order_direction: 'desc',
      limit: 2,
      offset: 0,
    });
    expect(page.status).toBe('OK');
    expect(page.data?.[0]).toMatchObject({
      message_handle: sent.message_handle,
      status: 'DELIVERED',
      send_style: 'confetti',
    });
    expect(page.pagination).toMatchObject({ total: 3, limit: 2, offset: 0, hasMore: true });
    const next = await client.messages.list({ status: 'DELIVERED', limit: 2, offset: 2 });
    expect(next.data).toHaveLength(1);
    expect(next.pagination?.hasMore).toBe(false);
  });

  it('surfaces validation errors as BadRequestError carrying the server message', async () => {
    const error: unknown = await client.messages
      .send({ number: '(555) 123-4567', from_number: server.line, content: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).status).toBe(400);
    expect((error as BadRequestError).message).toContain('E.164');
    expect((error as BadRequestError).error).toMatchObject({ status: 'ERROR', code: 'invalid_phone_number' });
  });

  it('surfaces unknown handles as NotFoundError on retrieve and getStatus', async () => {
    const unknown = '01900000-0000-7000-8000-000000000000';
    await expect(client.messages.retrieve(unknown)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.messages.getStatus({ handle: unknown })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('surfaces bad credentials as AuthenticationError', async () => {
    const intruder = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: 'not-the-secret-000000', baseURL: server.url });
    await expect(intruder.messages.list()).rejects.toBeInstanceOf(AuthenticationError);
    await expect(
      intruder.messages.send({ number: CONTACT, from_number: server.line, content: 'nope' }),
    ).rejects.toBeInstanceOf(AuthenticationError);
  });
});
