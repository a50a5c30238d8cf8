import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/support/test-server.js';
import { FinalStatusError, type MessageData, Tapback, TapbackError, WaitForTimeoutError } from '../src/index.js';
import { MESSAGE_DATA_FIELDS, MESSAGE_RESPONSE_FIELDS } from './support/model-fields.js';

let server: TestServer;
let client: Tapback;

/** A recipient nobody else in this file uses, so list filters see only this test's messages. */
let nextRecipient = 100;
const recipient = (suffix = '0000'): string => `+1555${nextRecipient++}${suffix}`;

beforeAll(async () => {
  server = await startTestServer({ TAPBACK_CLOCK: 'manual' });
  client = new Tapback({
    baseURL: server.url,
    apiKey: server.auth['sb-api-key-id'],
    apiSecret: server.auth['sb-api-secret-key'],
  });
});

afterAll(async () => {
  await server.close();
});

async function advance(ms: number): Promise<void> {
  await client.request({ method: 'POST', path: '/sandbox/clock/advance', body: { ms } });
}

describe('messages against a real Tapback server', () => {
  it('sends a message and answers QUEUED with the wire fields', async () => {
    const number = recipient();
    const message = await client.messages.send({
      number,
      from_number: server.line,
      content: 'Hello from the client',
      send_style: 'celebration',
    });
    expect(message).toMatchObject({
      number,
      to_number: number,
      from_number: server.line,
      content: 'Hello from the client',
      send_style: 'celebration',
      status: 'QUEUED',
      is_outbound: true,
      account_email: expect.any(String),
      accountEmail: expect.any(String),
      error_code: null,
    });
    expect(message.message_handle).toMatch(/^[0-9a-f-]{36}$/);
    for (const key of Object.keys(message)) expect(MESSAGE_RESPONSE_FIELDS).toHaveProperty(key);
  });

  it('reads the status, and the v2 record, of a sent message', async () => {
    const sent = await client.messages.send({ number: recipient(), from_number: server.line, content: 'status?' });
    const handle = sent.message_handle!;
    const status = await client.messages.getStatus({ handle });
    expect(status).toEqual(sent);

    const retrieved = await client.messages.retrieve(handle);
    expect(retrieved.status).toBe('OK');
    expect(retrieved.data).toMatchObject({ message_handle: handle, content: 'status?', status: 'QUEUED' });
    for (const key of Object.keys(retrieved.data!)) expect(MESSAGE_DATA_FIELDS).toHaveProperty(key);
    expect(() => client.messages.retrieve('')).toThrow(TapbackError);
  });

  it('gives the raw response with withResponse()', async () => {
    const { data, response } = await client.messages
      .send({ number: recipient(), from_number: server.line, content: 'raw' })
      .withResponse();
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(data.status).toBe('QUEUED');

    const listed = await client.messages.list({ limit: 1 }).withResponse();
    expect(listed.response.status).toBe(200);
    expect(listed.data.data).toHaveLength(1);
  });

  it('waits for DELIVERED as the manual clock moves', async () => {
    const sent = await client.messages.send({ number: recipient(), from_number: server.line, content: 'wait' });
    const waiting = client.messages.waitFor(sent.message_handle!, {
      status: 'DELIVERED',
      intervalMs: 20,
      timeoutMs: 5_000,
    });
    await advance(1_000);
    const delivered = await waiting;
    expect(delivered).toMatchObject({ message_handle: sent.message_handle, status: 'DELIVERED', service: 'iMessage' });
  });

  it('rejects waitFor when the message ends in another final status, unless that was asked for', async () => {
    const sent = await client.messages.send({ number: recipient('0004'), from_number: server.line, content: 'no' });
    await advance(1_000);
    const failure = await client.messages.waitFor(sent.message_handle!).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FinalStatusError);
    expect(failure).toMatchObject({
      handle: sent.message_handle,
      expected: 'DELIVERED',
      last: { status: 'ERROR', error_code: 10001 },
    });
    expect(String(failure)).toContain('ended ERROR while waiting for DELIVERED');

    const asked = await client.messages.waitFor(sent.message_handle!, { status: 'ERROR' });
    expect(asked.status).toBe('ERROR');
  });

  it('accepts a later status on the way (DELIVERED satisfies a wait for SENT)', async () => {
    const sent = await client.messages.send({ number: recipient(), from_number: server.line, content: 'sent?' });
    await advance(1_000);
    await expect(client.messages.waitFor(sent.message_handle!, { status: 'SENT' })).resolves.toMatchObject({
      status: 'DELIVERED',
    });
  });

  it('rejects waitFor with WaitForTimeoutError when the status never comes', async () => {
    const sent = await client.messages.send({ number: recipient(), from_number: server.line, content: 'stuck' });
    const started = Date.now();
    const failure = await client.messages
      .waitFor(sent.message_handle!, { timeoutMs: 300, intervalMs: 50 })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(failure).toBeInstanceOf(WaitForTimeoutError);
    expect(failure).toMatchObject({ expected: 'DELIVERED', timeoutMs: 300, last: { status: 'QUEUED' } });
    expect(String(failure)).toMatch(/did not reach DELIVERED within 300 ms; it is QUEUED/);
  });
});

describe('list and auto-pagination', () => {
  const number = '+15557770001';
  const handles: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 7; i++) {
      const m = await client.messages.send({ number, from_number: server.line, content: `page test ${i}` });
      handles.push(m.message_handle!);
    }
  });

  it('awaits to the first page with its pagination', async () => {
    const page = await client.messages.list({ number, limit: 3 });
    expect(page.status).toBe('OK');
    expect(page.data).toHaveLength(3);
    expect(page.pagination).toEqual({ total: 7, limit: 3, offset: 0, hasMore: true });
    for (const key of Object.keys(page.data![0]!)) expect(MESSAGE_DATA_FIELDS).toHaveProperty(key);
  });

  it('iterates every message across pages with for await', async () => {
    const seen: MessageData[] = [];
    for await (const message of client.messages.list({ number, limit: 3, order_direction: 'asc' })) seen.push(message);
    expect(seen.map((m) => m.message_handle)).toEqual(handles);
    expect(seen.map((m) => m.content)).toEqual(handles.map((_, i) => `page test ${i}`));
  });

  it('iterates page by page, starting at the given offset', async () => {
    const pages = [];
    for await (const page of client.messages.list({ number, limit: 3, offset: 2, order_direction: 'asc' }).pages()) {
      pages.push({ offset: page.pagination?.offset, count: page.data?.length });
    }
    expect(pages).toEqual([
      { offset: 2, count: 3 },
      { offset: 5, count: 2 },
    ]);
  });

  it('applies filters and ends on an empty result', async () => {
    const seen: MessageData[] = [];
    for await (const message of client.messages.list({ number: '+15557779999' })) seen.push(message);
    expect(seen).toEqual([]);
    const filtered = await client.messages.list({ number, status: 'QUEUED', is_outbound: 'true', limit: 100 });
    expect(filtered.pagination?.total).toBe(7);
  });
});

describe('waitFor on the system clock', () => {
  it('resolves once the sandbox delivers (about half a second)', async () => {
    const live = await startTestServer();
    try {
      const c = new Tapback({
        baseURL: live.url,
        apiKey: live.auth['sb-api-key-id'],
        apiSecret: live.auth['sb-api-secret-key'],
      });
      const sent = await c.messages.send({ number: '+15557770010', from_number: live.line, content: 'live' });
      const delivered = await c.messages.waitFor(sent.message_handle!, { intervalMs: 100, timeoutMs: 10_000 });
      expect(delivered.status).toBe('DELIVERED');
    } finally {
      await live.close();
    }
  });
});
