import type SendblueAPI from 'sendblue';
import { BadRequestError } from 'sendblue';
import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, addTenant, advanceClock, inject } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { RawEventReader, SdkEventReader, onAgent, sdkClient, testAgent } from './support/event-stream-reader.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * `GET /api/v2/events` end to end, read with the official SDK's `events.stream()` (and raw
 * `fetch` for what the SDK hides): every event type Tapback feeds, in the SDK's shape, the
 * `types` filter, tenancy, the per-account cap, heartbeats and rotation.
 */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INBOUND_FROM = '+15557770001';

type AccountEvent = SendblueAPI.AccountEvent;
const ofType = (events: AccountEvent[], type: string) => events.filter((e) => e.type === type);

async function post(server: TestServer, auth: Record<string, string>, url: string, body: unknown): Promise<unknown> {
  const res = await inject(server, {
    method: 'POST',
    url,
    headers: { ...auth, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe.each(SERVER_BACKENDS)('the account events stream ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;
  let agent: Agent;

  beforeAll(async () => {
    agent = testAgent();
    server = await startBackendServer(backend, {
      TAPBACK_CLOCK: 'manual',
      TAPBACK_EVENTS_MAX_STREAMS_PER_ACCOUNT: '3',
    });
    client = sdkClient(agent, server.url, TEST_KEY_ID, TEST_SECRET);
  });
  afterAll(async () => {
    await agent.destroy();
    await server.close();
  });

  it('streams message.created, message.updated, message.received and typing.changed in the SDK’s shape', async () => {
    const reader = await SdkEventReader.open(client);
    try {
      const sent = await client.messages.send({ number: CONTACT, from_number: server.line, content: 'live' });
      const handle = sent.message_handle ?? '';
      await advanceClock(server, 100);
      await advanceClock(server, 400);
      await post(server, server.auth, '/sandbox/inbound', { from: INBOUND_FROM, to: server.line, content: 'hi' });
      await post(server, server.auth, '/sandbox/typing', { from: INBOUND_FROM, to: server.line, is_typing: true });
      const events = await reader.until((e) => ofType(e, 'typing.changed').length === 1);

      expect(ofType(events, 'message.created').map((e) => e.data)).toEqual([
        expect.objectContaining({ message_handle: handle, status: 'QUEUED', is_outbound: true, number: CONTACT }),
      ]);
      expect(ofType(events, 'message.updated').map((e) => [e.data.status, e.data.previous_status])).toEqual([
        ['SENT', 'QUEUED'],
        ['DELIVERED', 'SENT'],
      ]);
      expect(ofType(events, 'message.received').map((e) => e.data)).toEqual([
        expect.objectContaining({ status: 'RECEIVED', is_outbound: false, number: INBOUND_FROM }),
      ]);
      expect(ofType(events, 'typing.changed').map((e) => e.data)).toEqual([
        { number: INBOUND_FROM, sendblue_number: server.line, is_typing: true },
      ]);
      for (const event of events) {
        expect(Object.keys(event).sort()).toEqual(['data', 'id', 'occurred_at', 'type', 'version']);
        expect(event.version).toBe(1);
        expect(event.id).toMatch(UUID_V7);
        expect(new Date(event.occurred_at).toISOString()).toBe(event.occurred_at);
      }
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      // Ids are time-ordered: in publishing order here, one process.
      expect(events.map((e) => e.id)).toEqual(events.map((e) => e.id).sort());
    } finally {
      reader.close();
    }
  });

  it('sends only the types the `types` allowlist names, and refuses an unknown type naming the parameter', async () => {
    const reader = await SdkEventReader.open(client, { types: 'typing.changed, message.updated' });
    try {
      await client.messages.send({ number: CONTACT, from_number: server.line, content: 'filtered' });
      await advanceClock(server, 100);
      await post(server, server.auth, '/sandbox/typing', { from: INBOUND_FROM, to: server.line, is_typing: false });
      const events = await reader.until((e) => ofType(e, 'typing.changed').length === 1);
      expect(events.map((e) => e.type)).toEqual(['message.updated', 'typing.changed']);
    } finally {
      reader.close();
    }
    const refused = await client.events.stream({ types: 'message.updated,message.exploded' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BadRequestError);
    expect((refused as BadRequestError).error).toMatchObject({ code: 'validation_failed' });
    expect((refused as BadRequestError).message).toContain('types');
    expect((refused as BadRequestError).message).toContain('message.exploded');
  });

  it('sends an account only its own events', async () => {
    const tenant = await addTenant(server, `events-${backend.name}@example.com`, '+15550002000');
    const theirs = await SdkEventReader.open(
      sdkClient(agent, server.url, tenant.keyId, tenant.auth['sb-api-secret-key'] ?? ''),
    );
    const ours = await SdkEventReader.open(client);
    try {
      await client.messages.send({ number: CONTACT, from_number: server.line, content: 'not theirs' });
      await post(server, server.auth, '/sandbox/typing', { from: INBOUND_FROM, to: server.line });
      await ours.until((e) => ofType(e, 'typing.changed').length === 1);
      // Their own event, published after ours: once it arrives, ours would have too.
      await post(server, tenant.auth, '/sandbox/typing', { from: INBOUND_FROM, to: tenant.line });
      const events = await theirs.until((e) => ofType(e, 'typing.changed').length > 0);
      // Their line's status change (ONLINE once loaded) is theirs too, and may come at any moment.
      expect(events.map((e) => e.data.sendblue_number)).toEqual(events.map(() => tenant.line));
      expect(ofType(events, 'typing.changed')).toHaveLength(1);
      expect(ofType(ours.events, 'typing.changed')).toHaveLength(1);
    } finally {
      theirs.close();
      ours.close();
    }
  });

  it('puts each event’s id on its SSE `id:` line', async () => {
    const raw = await RawEventReader.open(agent, server.url, server.auth);
    try {
      expect(raw.response.status).toBe(200);
      expect(raw.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      await post(server, server.auth, '/sandbox/typing', { from: INBOUND_FROM, to: server.line });
      const text = await raw.until((t) => t.includes('data: '));
      const [, id, json] = /\nid: ([^\n]+)\ndata: ([^\n]+)\n\n/.exec(text) ?? [];
      expect(id).toMatch(UUID_V7);
      expect(JSON.parse(json ?? '{}')).toMatchObject({ id, type: 'typing.changed', version: 1 });
    } finally {
      raw.close();
    }
  });

  it('refuses more open streams per account than the setting allows with 429 too_many_streams', async () => {
    const open = await Promise.all([1, 2, 3].map(() => RawEventReader.open(agent, server.url, server.auth)));
    try {
      expect(open.map((r) => r.response.status)).toEqual([200, 200, 200]);
      const res = await fetch(`${server.url}/api/v2/events`, { headers: server.auth, ...onAgent(agent) });
      expect(res.status).toBe(429);
      expect(await res.json()).toMatchObject({ status: 'ERROR', code: 'too_many_streams', error_code: 4001 });
    } finally {
      for (const r of open) r.close();
    }
    // A closed stream frees its place.
    await expect
      .poll(async () => {
        const again = await RawEventReader.open(agent, server.url, server.auth);
        again.close();
        return again.response.status;
      })
      .toBe(200);
  });
});

describe.each(SERVER_BACKENDS)('event stream heartbeats and rotation ($name)', (backend) => {
  let server: TestServer;
  let agent: Agent;

  beforeAll(async () => {
    agent = testAgent();
    server = await startBackendServer(backend, {
      TAPBACK_EVENTS_HEARTBEAT_MS: '50',
      TAPBACK_EVENTS_MAX_STREAM_MS: '400',
    });
  });
  afterAll(async () => {
    await agent.destroy();
    await server.close();
  });

  it('sends a heartbeat comment every interval and ends the stream after the longest duration', async () => {
    const started = Date.now();
    const raw = await RawEventReader.open(agent, server.url, server.auth);
    await raw.done;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(5_000);
    expect(raw.text.match(/^: heartbeat$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('ends the SDK’s iteration normally on rotation, so the client simply reconnects', async () => {
    const reader = await SdkEventReader.open(sdkClient(agent, server.url, TEST_KEY_ID, TEST_SECRET));
    await reader.done;
    expect(reader.error).toBeUndefined();
  });
});
