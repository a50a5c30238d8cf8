import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { type Tenant, addTenant } from './support/api-helpers.js';
import { fetchJson } from './support/json-fetch.js';
import { type TestServer, startBackendServer } from './support/test-server.js';

/**
 * GET /api/v2/conversations and POST /api/v2/conversations/read over HTTP on every backend: the
 * conversations the messages make (1:1 both ways, groups), unread counts and read marks, cursor
 * pages, tenancy, bad input, and a reset leaving none behind.
 */

const ALICE = '+19998887777';
const BOB = '+19998886666';

describe.each(SERVER_BACKENDS)('conversations API ($name)', (backend) => {
  let server: TestServer;
  let other: Tenant;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    other = await addTenant(server, 'other@example.test', '+15550002000');
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    expect((await call('POST', '/sandbox/reset', {})).status).toBe(200);
  });

  const call = (method: 'GET' | 'POST', path: string, body?: unknown, auth?: Record<string, string>) =>
    fetchJson(server, method, path, body, auth);
  const advance = (ms: number) => call('POST', '/sandbox/clock/advance', { ms });
  const inbound = (from: string, content: string, extra: Record<string, string> = {}) =>
    call('POST', '/sandbox/inbound', { from, to: server.line, content, ...extra });
  const list = async (query = '') => {
    const res = await call('GET', `/api/v2/conversations${query}`);
    expect(res.status).toBe(200);
    return res.body as { data: Record<string, unknown>[]; next_cursor: string | null };
  };

  it('lists 1:1 and group conversations with their last message and unread count, and marks them read', async () => {
    const sent = await call('POST', '/api/send-message', { number: ALICE, from_number: server.line, content: 'hi' });
    expect(sent.status).toBe(200);
    await advance(10);
    expect((await inbound(ALICE, 'one')).status).toBe(200);
    await advance(10);
    const last = await inbound(ALICE, 'two');
    await advance(10);
    const group = await call('POST', '/api/send-group-message', {
      numbers: [ALICE, BOB],
      from_number: server.line,
      content: 'team',
    });
    expect(group.status).toBe(200);
    const groupId = group.body.group_id as string;
    await advance(10);
    expect((await inbound(BOB, 'in the group', { group_id: groupId })).status).toBe(200);

    const page = await list();
    expect(page.next_cursor).toBeNull();
    expect(page.data).toHaveLength(2);
    const [g, direct] = page.data as [Record<string, unknown>, Record<string, unknown>];
    expect(g).toMatchObject({
      sendblue_number: server.line,
      number: null,
      group_id: groupId,
      participants: [ALICE, BOB],
      unread_count: 1,
    });
    expect((g.last_message as { content: string }).content).toBe('in the group');
    expect(direct).toMatchObject({
      sendblue_number: server.line,
      number: ALICE,
      group_id: null,
      participants: [ALICE],
      service: 'iMessage',
      unread_count: 2,
    });
    // The same message object GET /api/v2/messages returns.
    const retrieved = await call('GET', `/api/v2/messages/${last.body.message_handle as string}`);
    expect(direct.last_message).toEqual(retrieved.body.data);
    expect(direct.last_message_at).toBe(retrieved.body.data.date_created);
    expect(typeof direct.conversation_id).toBe('string');
    expect(direct.conversation_id).not.toBe(g.conversation_id);

    const read = await call('POST', '/api/v2/conversations/read', { sendblue_number: server.line, number: ALICE });
    expect(read).toEqual({ status: 200, body: { status: 'OK', unread_count: 0 } });
    const readGroup = await call('POST', '/api/v2/conversations/read', {
      sendblue_number: server.line,
      group_id: groupId,
    });
    expect(readGroup.body.unread_count).toBe(0);
    await advance(10);
    await inbound(ALICE, 'three');
    await call('POST', '/api/send-message', {
      number: ALICE,
      from_number: server.line,
      content: 'outbound is never unread',
    });
    const after = await list();
    expect(after.data.map((c) => [c.number, c.unread_count])).toEqual([
      [ALICE, 1],
      [null, 0],
    ]);
    // The id is stable: the same conversation keeps it as new messages arrive.
    expect(after.data[0]!.conversation_id).toBe(direct.conversation_id);
  });

  it('pages by cursor and filters by line', async () => {
    const contacts = ['+19998880011', '+19998880012', '+19998880013'];
    for (const c of contacts) {
      await inbound(c, 'hello');
      await advance(5);
    }
    const first = await list('?limit=2');
    expect(first.data.map((c) => c.number)).toEqual(['+19998880013', '+19998880012']);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await list(`?limit=2&before=${encodeURIComponent(first.next_cursor!)}`);
    expect(second.data.map((c) => c.number)).toEqual(['+19998880011']);
    expect(second.next_cursor).toBeNull();
    const byLine = await list(`?sendblue_number=${encodeURIComponent(server.line)}`);
    expect(byLine.data).toHaveLength(3);
  });

  it('keeps accounts apart', async () => {
    await inbound(ALICE, 'mine');
    const theirs = await call('GET', '/api/v2/conversations', undefined, other.auth);
    expect(theirs.body.data).toEqual([]);
    // Another account's line is not found, like a number that is no line at all.
    const foreignLine = await call('GET', `/api/v2/conversations?sendblue_number=${encodeURIComponent(other.line)}`);
    expect([foreignLine.status, foreignLine.body.code]).toEqual([404, 'not_found']);
    const markTheirs = await call(
      'POST',
      '/api/v2/conversations/read',
      { sendblue_number: server.line, number: ALICE },
      other.auth,
    );
    expect([markTheirs.status, markTheirs.body.code]).toEqual([404, 'not_found']);
    const noConversation = await call('POST', '/api/v2/conversations/read', {
      sendblue_number: server.line,
      number: BOB,
    });
    expect([noConversation.status, noConversation.body.code]).toEqual([404, 'not_found']);
  });

  it('shows a token scoped to phone numbers only its lines', async () => {
    const second = '+15550001009';
    await server.server.store.addLine({
      accountId: (await server.server.store.findLine(server.line))!.accountId,
      number: second,
      provider: 'sandbox',
      now: Date.now(),
    });
    await inbound(ALICE, 'on the first line');
    const minted = await call('POST', '/v3/auth/tokens', { phone_number: second });
    expect(minted.status).toBe(200);
    const bearer = { authorization: `Bearer ${minted.body.token as string}` };
    const own = await call(
      'GET',
      `/api/v2/conversations?sendblue_number=${encodeURIComponent(second)}`,
      undefined,
      bearer,
    );
    expect([own.status, own.body.data]).toEqual([200, []]);
    const whole = await call('GET', '/api/v2/conversations', undefined, bearer);
    expect([whole.status, whole.body.code]).toEqual([403, 'forbidden']);
    const outside = await call(
      'GET',
      `/api/v2/conversations?sendblue_number=${encodeURIComponent(server.line)}`,
      undefined,
      bearer,
    );
    expect([outside.status, outside.body.code]).toEqual([403, 'forbidden']);
  });

  it('answers 400 naming the field for bad input', async () => {
    const cases: [string, string][] = [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?before=not-a-cursor', 'before'],
      ['?sendblue_number=12', 'sendblue_number'],
      ['?unknown=1', 'unknown'],
    ];
    for (const [query, field] of cases) {
      const res = await call('GET', `/api/v2/conversations${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.message, query).toContain(field);
    }
    const neither = await call('POST', '/api/v2/conversations/read', { sendblue_number: server.line });
    expect([neither.status, neither.body.message]).toEqual([400, expect.stringContaining('number')]);
    const both = await call('POST', '/api/v2/conversations/read', {
      sendblue_number: server.line,
      number: ALICE,
      group_id: 'g',
    });
    expect([both.status, both.body.message]).toEqual([400, expect.stringContaining('group_id')]);
    const badNumber = await call('POST', '/api/v2/conversations/read', { sendblue_number: server.line, number: 'abc' });
    expect([badNumber.status, badNumber.body.message]).toEqual([400, expect.stringContaining('number')]);
    const noLine = await call('POST', '/api/v2/conversations/read', { number: ALICE });
    expect([noLine.status, noLine.body.message]).toEqual([400, expect.stringContaining('sendblue_number')]);
  });

  it('leaves no conversation behind a reset', async () => {
    await inbound(ALICE, 'before the reset');
    await call('POST', '/api/v2/conversations/read', { sendblue_number: server.line, number: ALICE });
    expect((await list()).data).toHaveLength(1);
    expect((await call('POST', '/sandbox/reset', {})).status).toBe(200);
    expect((await list()).data).toEqual([]);
    await advance(10);
    await inbound(ALICE, 'after');
    // The read mark went with the conversation.
    expect((await list()).data.map((c) => c.unread_count)).toEqual([1]);
  });
});
