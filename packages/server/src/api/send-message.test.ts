import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, advanceClock, expectError, get, messageCount, send } from '../../test/support/api-helpers.js';
import { SERVER_BACKENDS } from '../../test/support/backends.js';
import { type TestServer, startBackendServer } from '../../test/support/test-server.js';

/**
 * Every field Sendblue's API reference names in its message models (MessageResponse, MessageContent,
 * MessageListResponse data),
 * plus Sendblue's camelCase `accountEmail`, with the type the wire carries.
 */
const WIRE_FIELDS: Record<string, (v: unknown) => boolean> = {
  accountEmail: (v) => typeof v === 'string',
  account_email: (v) => typeof v === 'string',
  content: (v) => typeof v === 'string',
  is_outbound: (v) => typeof v === 'boolean',
  status: (v) => typeof v === 'string',
  error_code: (v) => v === null || Number.isInteger(v),
  error_message: (v) => v === null || typeof v === 'string',
  error_reason: (v) => v === null || typeof v === 'string',
  error_detail: (v) => v === null || typeof v === 'string',
  message_handle: (v) => typeof v === 'string',
  date_created: isIsoDate,
  date_sent: isIsoDate,
  date_updated: isIsoDate,
  from_number: (v) => typeof v === 'string',
  number: (v) => typeof v === 'string',
  to_number: (v) => typeof v === 'string',
  sendblue_number: (v) => typeof v === 'string',
  was_downgraded: (v) => v === null || typeof v === 'boolean',
  plan: (v) => typeof v === 'string',
  media_url: (v) => typeof v === 'string',
  message_type: (v) => v === 'message' || v === 'group',
  group_id: (v) => typeof v === 'string',
  participants: (v) => Array.isArray(v),
  group_display_name: (v) => typeof v === 'string',
  send_style: (v) => typeof v === 'string',
  opted_out: (v) => typeof v === 'boolean',
  service: (v) => v === 'iMessage' || v === 'SMS' || v === 'RCS',
};

function isIsoDate(v: unknown): boolean {
  return typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v) && !Number.isNaN(Date.parse(v));
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each(SERVER_BACKENDS)('POST /api/send-message ($name)', (backend) => {
  let server: TestServer;
  let line: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    line = server.line;
    auth = server.auth;
  });
  afterAll(() => server.close());

  it('accepts a JSON send with 200 and a QUEUED message carrying every wire field', async () => {
    const res = await send(server, auth, { number: CONTACT, from_number: line, content: 'Hello world!' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as Record<string, unknown>;
    for (const [field, ok] of Object.entries(WIRE_FIELDS)) {
      expect(field in body, `field ${field} is present`).toBe(true);
      expect(ok(body[field]), `field ${field} has the wire type (got ${JSON.stringify(body[field])})`).toBe(true);
    }
    expect(body).toMatchObject({
      accountEmail: 'dev@tapback.local',
      account_email: 'dev@tapback.local',
      content: 'Hello world!',
      is_outbound: true,
      status: 'QUEUED',
      error_code: null,
      error_message: null,
      error_reason: null,
      error_detail: null,
      from_number: line,
      number: CONTACT,
      to_number: CONTACT,
      sendblue_number: line,
      was_downgraded: null,
      plan: 'dedicated',
      media_url: '',
      message_type: 'message',
      group_id: '',
      participants: [],
      group_display_name: '',
      send_style: '',
      opted_out: false,
      service: 'iMessage',
    });
    expect(body.message_handle).toMatch(UUID_V7);
    expect(body.date_created).toBe(body.date_sent);
  });

  it('answers a send exactly as /api/status later describes the stored message', async () => {
    const res = await send(server, auth, { number: CONTACT, from_number: line, content: 'stored as answered' });
    const sent = res.json() as { message_handle: string };
    const status = await get(server, auth, `/api/status?handle=${sent.message_handle}`);
    expect(status.statusCode).toBe(200);
    expect(status.json()).toEqual(sent);
  });

  it('accepts an application/x-www-form-urlencoded send with the same response shape', async () => {
    const form = new URLSearchParams({
      number: CONTACT,
      from_number: line,
      content: 'from a form',
      send_style: 'slam',
    });
    const res = await send(server, auth, form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as Record<string, unknown>;
    for (const field of Object.keys(WIRE_FIELDS)) expect(field in body, field).toBe(true);
    expect(body).toMatchObject({ status: 'QUEUED', content: 'from a form', send_style: 'slam', number: CONTACT });
  });

  it('accepts JSON with a charset parameter in the content type', async () => {
    const res = await send(server, auth, JSON.stringify({ number: CONTACT, from_number: line, content: 'utf-8' }), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(res.statusCode).toBe(200);
  });

  it('accepts media_url without content and reports content as an empty string', async () => {
    const res = await send(server, auth, {
      number: CONTACT,
      from_number: line,
      media_url: 'https://cdn.example.com/picture.jpg',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ content: '', media_url: 'https://cdn.example.com/picture.jpg' });
  });

  it('echoes every one of the 13 send styles', async () => {
    const styles = ['celebration', 'shooting_star', 'fireworks', 'lasers', 'love', 'confetti', 'balloons'];
    styles.push('spotlight', 'echo', 'invisible', 'gentle', 'loud', 'slam');
    for (const send_style of styles) {
      const res = await send(server, auth, { number: CONTACT, from_number: line, content: 'style', send_style });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ send_style });
    }
  });

  it('accepts content of exactly 18,996 characters and stores it whole', async () => {
    const content = 'é'.repeat(18_996);
    const res = await send(server, auth, { number: CONTACT, from_number: line, content });
    expect(res.statusCode).toBe(200);
    const handle = (res.json() as { message_handle: string }).message_handle;
    const stored = await get(server, auth, `/api/v2/messages/${handle}`);
    expect((stored.json() as { data: { content: string } }).data.content).toBe(content);
  });

  it('accepts the documentation number +19998887777 and gives each send its own handle', async () => {
    const handles = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await send(server, auth, { number: '+19998887777', from_number: line, content: `n${i}` });
      expect(res.statusCode).toBe(200);
      handles.add((res.json() as { message_handle: string }).message_handle);
    }
    expect(handles.size).toBe(5);
  });

  it.each([
    ['a lone surrogate escape', Buffer.from('{"content":"a\\ud800b\\udc00c","number":"+19998887777",')],
    // PostgreSQL text cannot hold U+0000, so no backend stores it.
    ['a U+0000 escape', Buffer.from('{"content":"a\\u0000b","number":"+19998887777",')],
    [
      'invalid UTF-8 bytes',
      Buffer.concat([Buffer.from('{"content":"a'), Buffer.from([0xff]), Buffer.from('b","number":"+19998887777",')]),
    ],
  ])('stores %s in content as U+FFFD and answers exactly what it stored', async (_name, head) => {
    const payload = Buffer.concat([head, Buffer.from(`"from_number":"${line}"}`)]);
    const res = await send(server, auth, payload, { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(200);
    const sent = res.json() as { message_handle: string; content: string };
    expect(sent.content).toMatch(/^a\uFFFDb(\uFFFDc)?$/);
    const stored = await get(server, auth, `/api/status?handle=${sent.message_handle}`);
    expect(stored.json()).toEqual(sent);
  });

  it('stores U+0000 in media_url and status_callback as U+FFFD, answering what it stored', async () => {
    const res = await send(server, auth, {
      number: CONTACT,
      from_number: line,
      media_url: 'https://cdn.example.com/a\u0000b.jpg',
      status_callback: 'https://hooks.example.com/\u0000',
    });
    expect(res.statusCode).toBe(200);
    const sent = res.json() as { message_handle: string; media_url: string };
    expect(sent.media_url).toBe('https://cdn.example.com/a\uFFFDb.jpg');
    const stored = await get(server, auth, `/api/status?handle=${sent.message_handle}`);
    expect(stored.json()).toEqual(sent);
  });

  it('ignores fields it does not know instead of rejecting the send', async () => {
    const res = await send(server, auth, { number: CONTACT, from_number: line, content: 'x', seat_id: null, foo: 1 });
    expect(res.statusCode).toBe(200);
  });
});

describe.each(SERVER_BACKENDS)('POST /api/send-message when the account queue is full ($name)', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual', TAPBACK_QUEUE_LIMIT: '3' });
  });
  afterAll(() => server.close());

  it('answers 429 with Retry-After before storing anything, and accepts again once the queue drains', async () => {
    const body = { number: CONTACT, from_number: server.line, content: 'queued' };
    for (let i = 0; i < 3; i++) expect((await send(server, server.auth, body)).statusCode).toBe(200);

    const refused = await send(server, server.auth, body);
    const error = expectError(refused, 429, 'queue_full');
    expect(error.error_code).toBe(4001);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const keyed = await send(server, server.auth, body, { 'idempotency-key': 'while-full' });
    expectError(keyed, 429, 'queue_full');
    expect(await messageCount(server, server.auth)).toBe(3);

    // The manual clock has not moved, so nothing has left QUEUED; moving it lets them go.
    await advanceClock(server, 100);
    const accepted = await send(server, server.auth, body, { 'idempotency-key': 'while-full' });
    expect(accepted.statusCode).toBe(200);
    expect(await messageCount(server, server.auth)).toBe(4);
  });
});
