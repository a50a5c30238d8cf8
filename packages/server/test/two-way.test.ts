/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of many shapes, each asserted by its test */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireMessage } from '../src/domain/message.js';
import { addTenant } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { type TestServer, startBackendServer } from './support/test-server.js';
import { type Received, type Receiver, eventually, startReceiver } from './support/webhook-receiver.js';

/**
 * Two-way messaging end to end over real HTTP, on every backend: a conversation with the sandbox's
 * echo contact and its signed receive webhook, opt-out keywords, groups in both directions, the
 * filters, lookups, typing indicators and the wait helper.
 */

/** The keys of Sendblue's `receive` webhook payload, every one of which must be there. */
const RECEIVE_KEYS = [
  'accountEmail',
  'content',
  'is_outbound',
  'status',
  'error_code',
  'error_message',
  'error_reason',
  'message_handle',
  'date_sent',
  'date_updated',
  'from_number',
  'number',
  'to_number',
  'was_downgraded',
  'plan',
  'media_url',
  'message_type',
  'group_id',
  'participants',
  'send_style',
  'opted_out',
  'error_detail',
  'sendblue_number',
  'service',
  'group_display_name',
];

const headersOf = (h: Received['headers']): Record<string, string> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));

describe.each(SERVER_BACKENDS)('two-way messaging over HTTP ($name)', (backend) => {
  let t: TestServer;
  let receiver: Receiver;
  let signingSecret: string;

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { ...t.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: await res.json() };
  }
  async function ok(method: string, path: string, body?: unknown): Promise<any> {
    const r = await call(method, path, body);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.json)}`).toBe(200);
    return r.json;
  }
  const send = (number: string, content: string): Promise<WireMessage> =>
    ok('POST', '/api/send-message', { number, from_number: t.line, content });
  const inbound = (from: string, content: string, extra: Record<string, unknown> = {}): Promise<WireMessage> =>
    ok('POST', '/sandbox/inbound', { from, to: t.line, content, ...extra });
  const wait = (query: Record<string, string>): Promise<WireMessage> =>
    ok('GET', `/sandbox/wait?${new URLSearchParams({ timeout_ms: '5000', ...query }).toString()}`);
  const status = (handle: string): Promise<WireMessage> => ok('GET', `/api/status?handle=${handle}`);
  const receivedFor = (pred: (body: any) => boolean) =>
    eventually(() => receiver.received.find((r) => pred(JSON.parse(r.body))), 5_000);

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startBackendServer(backend, {
      TAPBACK_SANDBOX_SENT_DELAY_MS: '10',
      TAPBACK_SANDBOX_DELIVERED_DELAY_MS: '20',
    });
    await ok('POST', '/api/account/webhooks', {
      type: 'receive',
      webhooks: [{ url: `${receiver.url}/receive`, secret: 'shared', sendblue_numbers: [t.line] }],
    });
    await ok('POST', '/api/account/webhooks', { type: 'typing_indicator', webhooks: [`${receiver.url}/typing`] });
    signingSecret = String((await ok('GET', '/api/account/webhooks')).signing_secret);
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('holds a conversation with the echo contact: send, DELIVERED, the reply, its signed receive webhook', async () => {
    const echo = '+12025550007';
    const sent = await send(echo, 'hello there');
    expect(sent.status).toBe('QUEUED');
    const reply = await wait({ from: echo, to: t.line, contains: 'Echo: hello there' });
    expect(reply).toMatchObject({
      is_outbound: false,
      status: 'RECEIVED',
      content: 'Echo: hello there',
      number: echo,
      from_number: echo,
      to_number: t.line,
      sendblue_number: t.line,
      message_type: 'message',
      opted_out: false,
    });
    expect((await status(sent.message_handle)).status).toBe('DELIVERED');
    const hook = await receivedFor((b) => b.message_handle === reply.message_handle);
    expect(hook.path).toBe('/receive');
    expect(hook.headers['sb-signing-secret']).toBe('shared');
    const body = new Webhook(signingSecret).verify(hook.body, headersOf(hook.headers)) as Record<string, unknown>;
    for (const key of RECEIVE_KEYS) expect(body).toHaveProperty(key);
    expect(body).toMatchObject({ status: 'RECEIVED', is_outbound: false, content: 'Echo: hello there' });
    const listed = await ok('GET', `/api/v2/messages?is_outbound=false&number=${encodeURIComponent(echo)}`);
    expect(listed.data.map((m: WireMessage) => m.message_handle)).toEqual([reply.message_handle]);
  });

  it('declines sends after STOP without a provider, sends again after START, answers HELP', async () => {
    const contact = '+19998881111';
    await inbound(contact, 'hi');
    const stop = await inbound(contact, ' Stop ');
    expect(stop.opted_out).toBe(true);
    const declined = await send(contact, 'are you there?');
    expect(declined).toMatchObject({ status: 'DECLINED', opted_out: true, error_reason: 'opted_out' });
    expect(declined.error_message).toMatch(/opted out/);
    // Never handed to a provider: no SENT ever follows.
    await new Promise((r) => setTimeout(r, 100));
    expect(await status(declined.message_handle)).toMatchObject({ status: 'DECLINED', status_sequence: 0 });

    await ok('PUT', '/api/account/settings', { help_reply: 'Tapback test line: reply STOP to stop.' });
    await inbound(contact, 'HELP');
    const helpReply = await wait({ to: contact, from: t.line, contains: 'Tapback test line' });
    expect(helpReply).toMatchObject({ is_outbound: true, status: 'DECLINED', opted_out: true });

    const start = await inbound(contact, 'START');
    expect(start.opted_out).toBe(false);
    const again = await send(contact, 'welcome back');
    expect(again).toMatchObject({ status: 'QUEUED', opted_out: false });
    await eventually(async () => ((await status(again.message_handle)).status === 'DELIVERED' ? true : undefined));
    await inbound(contact, 'info');
    const help = await wait({ to: contact, contains: 'Tapback test line' });
    expect(help).toMatchObject({ is_outbound: true, opted_out: false });
    expect(['QUEUED', 'SENT', 'DELIVERED']).toContain(help.status);
  });

  it('opts out and back in by API', async () => {
    const contact = '+19998882222';
    expect(await ok('POST', '/api/v2/contacts/opt-out', { number: contact })).toEqual({
      status: 'OK',
      number: contact,
      opted_out: true,
    });
    expect((await send(contact, 'x')).status).toBe('DECLINED');
    await ok('POST', '/api/v2/contacts/opt-out', { number: contact, opted_out: false });
    expect((await send(contact, 'y')).status).toBe('QUEUED');
    expect((await call('POST', '/api/v2/contacts/opt-out', { number: '12345' })).status).toBe(400);
  });

  it('holds a group conversation of three in both directions, with its filters', async () => {
    const [ann, bob, cat] = ['+19998883331', '+19998883332', '+19998883333'];
    const out = await ok('POST', '/api/send-group-message', {
      from_number: t.line,
      numbers: [ann, bob],
      content: 'hello group',
    });
    expect(out).toMatchObject({
      status: 'QUEUED',
      message_type: 'group',
      participants: [t.line, ann, bob],
      is_outbound: true,
    });
    const groupId = out.group_id as string;
    expect(groupId).toMatch(/^[0-9a-f-]{36}$/);
    // The same members in another order are the same group.
    const second = await ok('POST', '/api/send-group-message', {
      from_number: t.line,
      numbers: [bob, ann],
      content: '2',
    });
    expect(second.group_id).toBe(groupId);

    const fromAnn = await inbound(ann, 'hi all', { group_id: groupId });
    expect(fromAnn).toMatchObject({
      message_type: 'group',
      group_id: groupId,
      from_number: ann,
      number: ann,
      participants: [t.line, ann, bob],
      is_outbound: false,
    });
    const hook = await receivedFor((b) => b.message_handle === fromAnn.message_handle);
    expect(JSON.parse(hook.body)).toMatchObject({ message_type: 'group', group_id: groupId });
    // A STOP in a group chat is conversation, not an opt-out.
    expect((await inbound(bob, 'STOP', { group_id: groupId })).opted_out).toBe(false);
    const reply = await ok('POST', '/api/send-group-message', {
      from_number: t.line,
      group_id: groupId,
      content: 'yo',
    });
    expect(reply.group_id).toBe(groupId);

    const byGroup = await ok('GET', `/api/v2/messages?group_id=${groupId}&order_direction=asc`);
    expect(byGroup.data.map((m: WireMessage) => m.content)).toEqual(['hello group', '2', 'hi all', 'STOP', 'yo']);
    const groupInbound = await ok('GET', `/api/v2/messages?message_type=group&is_outbound=false`);
    expect(groupInbound.data.map((m: WireMessage) => m.content).sort()).toEqual(['STOP', 'hi all']);

    expect(
      await ok('POST', '/api/modify-group', { group_id: groupId, modify_type: 'add_recipient', number: cat }),
    ).toEqual({ status: 'OK', group_id: groupId, modify_type: 'add_recipient', number: cat });
    const got = await ok('GET', `/api/v2/groups/${groupId}`);
    expect(got.data).toMatchObject({
      group_id: groupId,
      participant_numbers: [ann, bob, cat],
      latest_message_id: reply.message_handle,
    });
    expect(got.data.participants[2]).toMatchObject({ type: 'contact', phone: cat, handle: cat });
    await ok('POST', '/api/modify-group', { group_id: groupId, modify_type: 'remove_recipient', number: cat });
    const small = await call('POST', '/api/modify-group', {
      group_id: groupId,
      modify_type: 'remove_recipient',
      number: bob,
    });
    expect(small).toMatchObject({ status: 400, json: { code: 'group_too_small' } });
    expect(
      (await call('POST', '/sandbox/inbound', { from: cat, to: t.line, content: 'x', group_id: groupId })).status,
    ).toBe(400);
    expect((await call('GET', '/api/v2/groups/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    const tooMany = Array.from({ length: 26 }, (_, i) => `+1999888${String(4000 + i)}`);
    const big = await call('POST', '/api/send-group-message', { from_number: t.line, numbers: tooMany, content: 'x' });
    expect(big).toMatchObject({ status: 400, json: { code: 'group_too_large' } });
  });

  it('looks up services, sends typing indicators and reports a contact typing', async () => {
    expect(await ok('GET', '/api/evaluate-service?number=%2B12025550001')).toEqual({
      number: '+12025550001',
      service: 'SMS',
    });
    expect((await ok('GET', '/api/evaluate-service?number=%2B12025550002')).service).toBe('RCS');
    expect((await ok('GET', '/api/evaluate-service?number=%2B19998887777')).service).toBe('iMessage');

    const contact = '+19998884444';
    const typing = { number: contact, from_number: t.line };
    expect(await call('POST', '/api/send-typing-indicator', typing)).toMatchObject({
      status: 400,
      json: { code: 'no_route_mapping', message: 'No route mapping found' },
    });
    await inbound(contact, 'hey');
    expect(await ok('POST', '/api/send-typing-indicator', typing)).toEqual({
      number: contact,
      status: 'SENT',
      error_message: null,
    });

    expect(await ok('POST', '/sandbox/typing', { from: contact, to: t.line })).toEqual({ status: 'OK', deliveries: 1 });
    const hook = await receivedFor((b) => b.is_typing === true && b.number === contact);
    expect(hook.path).toBe('/typing');
    const body = new Webhook(signingSecret).verify(hook.body, headersOf(hook.headers)) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['from_number', 'is_typing', 'number', 'timestamp']);
    expect(body).toMatchObject({ number: contact, from_number: t.line, is_typing: true });
  });

  it('records SMS segments for messages sent as SMS', async () => {
    const sms = await send('+12025550001', 'x'.repeat(161));
    // Routing knows at once that this sandbox number is SMS only: the QUEUED message is SMS already.
    expect(sms).toMatchObject({ service: 'SMS', sms_segments: 2 });
    await eventually(async () => ((await status(sms.message_handle)).status === 'SENT' ? true : undefined));
    expect(await status(sms.message_handle)).toMatchObject({ service: 'SMS', sms_segments: 2 });
  });

  it('waits for a message, and times out with 408 when none comes', async () => {
    const contact = '+19998885555';
    const waiting = wait({ from: contact, contains: 'later' });
    await new Promise((r) => setTimeout(r, 50));
    const sent = await inbound(contact, 'see you later');
    expect((await waiting).message_handle).toBe(sent.message_handle);
    const started = Date.now();
    const none = await call('GET', `/sandbox/wait?from=${encodeURIComponent(contact)}&contains=never&timeout_ms=200`);
    expect(none).toMatchObject({ status: 408, json: { code: 'wait_timeout' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('keeps inbound messages, opt-outs and groups per account', async () => {
    const b = await addTenant(t, 'b@example.com', '+15559990000');
    const asB = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${t.url}${path}`, {
        method,
        headers: { ...b.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as any };
    };
    const contact = '+19998886666';
    // A cannot inject into B's line, nor B into A's.
    expect(await call('POST', '/sandbox/inbound', { from: contact, to: b.line, content: 'x' })).toMatchObject({
      status: 400,
      json: { code: 'unknown_line' },
    });
    expect((await asB('POST', '/sandbox/inbound', { from: contact, to: t.line, content: 'x' })).status).toBe(400);
    // A STOP to A's line opts the contact out of A only.
    await inbound(contact, 'STOP');
    expect(
      (await asB('POST', '/api/send-message', { number: contact, from_number: b.line, content: 'hi' })).json,
    ).toMatchObject({ status: 'QUEUED', opted_out: false });
    const fromB = await asB('POST', '/sandbox/inbound', { from: contact, to: b.line, content: 'for B only' });
    expect(fromB.status).toBe(200);
    expect(receiver.received.some((r) => r.body.includes('for B only'))).toBe(false);
    const groupOfA = await ok('POST', '/api/send-group-message', {
      from_number: t.line,
      numbers: ['+19998887001', '+19998887002'],
      content: 'a',
    });
    expect((await asB('GET', `/api/v2/groups/${groupOfA.group_id}`)).status).toBe(404);
    expect(
      (await asB('POST', '/api/send-group-message', { from_number: b.line, group_id: groupOfA.group_id, content: 'x' }))
        .status,
    ).toBe(404);
    const listB = await asB('GET', '/api/v2/messages?is_outbound=false');
    expect(listB.json.data.map((m: WireMessage) => m.content)).toEqual(['for B only']);
  });
});
