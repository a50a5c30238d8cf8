import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, advanceClock, expectError, get, send } from '../../test/support/api-helpers.js';
import { SERVER_BACKENDS } from '../../test/support/backends.js';
import { type TestServer, startBackendServer } from '../../test/support/test-server.js';

interface Wire {
  message_handle: string;
  status: string;
  service: string;
  was_downgraded: boolean | null;
  error_code: number | null;
  error_message: string | null;
  date_created: string;
  date_updated: string;
  status_sequence: number;
}

/** A well-formed UUID v7 that no message has. */
const UNKNOWN = '01900000-0000-7000-8000-000000000000';

describe.each(SERVER_BACKENDS)('GET /api/status and GET /api/v2/messages/{id} ($name)', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    // The sandbox's documented defaults: SENT 100 ms after the attempt, DELIVERED 400 ms later.
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
  });
  afterAll(() => server.close());

  async function sendTo(number: string): Promise<Wire> {
    const res = await send(server, server.auth, { number, from_number: server.line, content: `to ${number}` });
    expect(res.statusCode).toBe(200);
    return res.json() as Wire;
  }

  async function status(handle: string, param = 'handle'): Promise<Wire> {
    const res = await get(server, server.auth, `/api/status?${param}=${handle}`);
    expect(res.statusCode).toBe(200);
    return res.json() as Wire;
  }

  async function retrieve(handle: string): Promise<Wire> {
    const res = await get(server, server.auth, `/api/v2/messages/${handle}`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { status: string; data: Wire };
    expect(body.status).toBe('OK');
    return body.data;
  }

  it('answers handle= and message_handle= with the same message object', async () => {
    const sent = await sendTo(CONTACT);
    const byHandle = await status(sent.message_handle, 'handle');
    expect(byHandle).toEqual(sent);
    expect(await status(sent.message_handle, 'message_handle')).toEqual(byHandle);
  });

  it('wraps the same message object in {status: "OK", data} on /api/v2/messages/{id}', async () => {
    const sent = await sendTo(CONTACT);
    expect(await retrieve(sent.message_handle)).toEqual(await status(sent.message_handle));
  });

  it('answers an unknown handle with 404 on both routes', async () => {
    const a = expectError(await get(server, server.auth, `/api/status?handle=${UNKNOWN}`), 404, 'not_found');
    const b = expectError(await get(server, server.auth, `/api/status?message_handle=${UNKNOWN}`), 404, 'not_found');
    const c = expectError(await get(server, server.auth, `/api/v2/messages/${UNKNOWN}`), 404, 'not_found');
    expect(a.message).toBe('Message not found');
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('finds a handle only in its exact spelling', async () => {
    const sent = await sendTo(CONTACT);
    expectError(await get(server, server.auth, `/api/status?handle=${sent.message_handle.toUpperCase()}`), 404);
    expectError(await get(server, server.auth, `/api/v2/messages/${sent.message_handle}x`), 404);
  });

  it('answers /api/status with neither handle nor message_handle with 400', async () => {
    expectError(await get(server, server.auth, '/api/status'), 400, 'validation_failed');
    expectError(await get(server, server.auth, '/api/status?handle='), 400, 'validation_failed');
    expectError(await get(server, server.auth, '/api/status?handle=a&handle=b'), 400, 'validation_failed');
  });

  it('reports QUEUED, then SENT, then DELIVERED as the manual clock moves', async () => {
    const sent = await sendTo(CONTACT);
    expect(sent.status).toBe('QUEUED');
    expect((await status(sent.message_handle)).status).toBe('QUEUED');

    await advanceClock(server, 100);
    const afterSent = await status(sent.message_handle);
    expect(afterSent).toMatchObject({ status: 'SENT', service: 'iMessage', was_downgraded: false, error_code: null });
    expect(afterSent.status_sequence).toBeGreaterThan(sent.status_sequence);

    await advanceClock(server, 400);
    const delivered = await status(sent.message_handle);
    expect(delivered.status).toBe('DELIVERED');
    expect(delivered.date_created).toBe(sent.date_created);
    expect(Date.parse(delivered.date_updated)).toBeGreaterThan(Date.parse(sent.date_updated));
    expect(delivered.status_sequence).toBeGreaterThan(afterSent.status_sequence);
    expect(await retrieve(sent.message_handle)).toEqual(delivered);

    // DELIVERED is final: more time changes nothing.
    await advanceClock(server, 60_000);
    expect(await status(sent.message_handle)).toEqual(delivered);
  });

  it.each([
    ['an SMS-only contact', '+15557770001', { status: 'SENT', service: 'SMS', was_downgraded: true, error_code: null }],
    ['an RCS contact', '+15557770002', { status: 'DELIVERED', service: 'RCS', error_code: null }],
    ['a contact whose network fails after sending', '+15557770003', { status: 'ERROR', error_code: 10001 }],
    ['an unreachable contact', '+15557770004', { status: 'ERROR', error_code: 10001 }],
  ])('reports the final state of a send to %s', async (_name, number, expected) => {
    const sent = await sendTo(number);
    await advanceClock(server, 10_000);
    const final = await status(sent.message_handle);
    expect(final).toMatchObject(expected);
    if (final.status === 'ERROR') expect(typeof final.error_message).toBe('string');
    expect(await retrieve(sent.message_handle)).toEqual(final);
  });
});
