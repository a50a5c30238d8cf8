import type SendblueAPI from 'sendblue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { type BlueBubblesLine, startBlueBubblesLine } from './support/bluebubbles-line.js';
import type { BlueBubblesStandin } from './support/bluebubbles-standin.js';
import type { TestServer } from './support/test-server.js';
import { type Receiver, eventually } from './support/webhook-receiver.js';

/**
 * BlueBubbles events into Tapback, end to end: a real server whose line is an iMessage line on a
 * BlueBubbles stand-in (loopback). Tapback registers the line's webhook; the stand-in posts its
 * events there as BlueBubbles Server does; the official SDK sees the results.
 */
const LINE = '+15550003000';
const CONTACT = '+14155550123';
const FRIEND = '+14155550124';
const NEWCOMER = '+14155550125';

interface WireBody {
  content: string;
  status: string;
  message_handle: string;
  group_id: string;
  participants: string[];
  group_display_name: string;
  media_url: string;
  number: string;
  from_number: string;
  is_outbound: boolean;
  service: string;
}

describe.each(SERVER_BACKENDS)('BlueBubbles events through the server ($name)', (backend) => {
  let server: TestServer;
  let bb: BlueBubblesStandin;
  let client: SendblueAPI;
  let hooks: Receiver;

  let line: BlueBubblesLine;

  beforeAll(async () => {
    // Polls far apart: everything below arrives by webhook (bluebubbles-polling.test.ts polls).
    line = await startBlueBubblesLine(backend, { line: LINE, pollMs: 600_000 });
    ({ server, bb, client, hooks } = line);
    await client.webhooks.create({ webhooks: [`${hooks.url}/receive`], type: 'receive' });
    await client.webhooks.create({ webhooks: [`${hooks.url}/typing`], type: 'typing_indicator' });
    await eventually(async () => {
      const state = (await client.lines.getState()).data.find((l) => l.sendblue_number === LINE);
      return state?.status === 'ONLINE' && bb.registeredWebhooks().length === 1 ? state : undefined;
    });
  });
  beforeEach(() => {
    bb.reachWebhooks = true;
  });
  afterAll(async () => {
    await line?.close();
  });

  const status = (handle: string, wanted: string) =>
    eventually(async () => {
      const m = await client.messages.getStatus({ handle });
      return m.status === wanted ? m : undefined;
    });
  const received = (path: string, match: (body: WireBody) => boolean) =>
    eventually(() => {
      const found = hooks.received
        .filter((r) => r.path === path)
        .map((r) => JSON.parse(r.body) as WireBody)
        .find(match);
      return found;
    });
  const sendAndFind = async (content: string, callback?: string) => {
    const sent = await client.messages.send({
      number: CONTACT,
      from_number: LINE,
      content,
      ...(callback === undefined ? {} : { status_callback: callback }),
    });
    const handle = sent.message_handle!;
    await status(handle, 'SENT');
    const row = bb.sent().find((m) => m.text === content);
    expect(row).toBeDefined();
    return { handle, guid: row!.guid };
  };
  const lineState = async () =>
    (await client.lines.getState()).data.find((l) => l.sendblue_number === LINE) as unknown as Record<string, unknown>;

  it('registers one webhook per line with the mapped events, under a token URL, and reports webhook mode', async () => {
    const [hook] = bb.registeredWebhooks();
    expect(hook!.url).toMatch(
      new RegExp(`^${server.url}/network-hooks/bluebubbles/[A-Za-z0-9_-]{32}\\?line=%2B15550003000$`),
    );
    expect([...hook!.events].sort()).toEqual(
      [
        'group-name-change',
        'message-send-error',
        'new-message',
        'participant-added',
        'participant-left',
        'participant-removed',
        'typing-indicator',
        'updated-message',
      ].sort(),
    );
    expect(await lineState()).toMatchObject({ provider: 'bluebubbles', events: 'webhook', events_detail: null });
  });

  it('sends SENT (iMessage) then DELIVERED by updated-message; a duplicate and a late update change nothing', async () => {
    const { handle, guid } = await sendAndFind('Hello over iMessage', `${hooks.url}/status`);
    bb.deliver(guid);
    const delivered = await status(handle, 'DELIVERED');
    expect((delivered as unknown as WireBody).service).toBe('iMessage');
    // The stand-in posts the last event again, then the first one (the send's new-message, no dateDelivered) arrives late.
    bb.emitDuplicateUpdate(guid);
    const first = bb.posts.find(
      (p) => (p.event.data as { guid?: string }).guid === guid && p.event.type === 'new-message',
    );
    const late = await fetch(first!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(first!.event),
    });
    expect(late.status).toBe(200);
    await bb.flush();
    bb.read(guid);
    await bb.flush();
    expect((await client.messages.getStatus({ handle })).status).toBe('DELIVERED');
    // The read is recorded as date_read with a callback of its own, the status unchanged
    // (bluebubbles-read.test.ts covers reads).
    const callbacks = await eventually(() => {
      const mine = hooks.received.filter((r) => r.path === '/status' && r.body.includes(handle));
      return mine.length >= 3 ? mine : undefined;
    });
    await server.server.dispatcher.runDue();
    expect(callbacks.map((c) => (JSON.parse(c.body) as WireBody).status)).toEqual(['SENT', 'DELIVERED', 'DELIVERED']);
  });

  it('records message-send-error as ERROR with the Messages error code in error_detail', async () => {
    const { handle, guid } = await sendAndFind('This one fails');
    bb.fail(guid, 4);
    const failed = await status(handle, 'ERROR');
    expect(failed).toMatchObject({ error_code: 10001, error_message: 'Message failed to send' });
    expect((failed as unknown as { error_detail: string }).error_detail).toContain('Messages error 4');
  });

  it('stores a contact’s reply 1:1 and sends the receive webhook (official SDK send, then reply)', async () => {
    await sendAndFind('Are you there?');
    bb.receive({ from: CONTACT, text: 'Yes, here' });
    const body = await received('/receive', (b) => b.content === 'Yes, here');
    expect(body).toMatchObject({
      number: CONTACT,
      from_number: CONTACT,
      is_outbound: false,
      status: 'RECEIVED',
      service: 'iMessage',
      group_id: '',
    });
    // Delivered once more (a duplicate webhook): stored once.
    await bb.flush();
    const list = await client.messages.list({ number: CONTACT, is_outbound: 'false' });
    expect(list.data?.filter((m) => m.content === 'Yes, here')).toHaveLength(1);
  });

  it('stores a group chat’s message in a Tapback group; a rename renames it, members follow the chat', async () => {
    bb.receive({ from: CONTACT, text: 'Hi all', group: { participants: [FRIEND], displayName: 'Crew' } });
    const body = await received('/receive', (b) => b.content === 'Hi all');
    expect(body.group_id).not.toBe('');
    expect([...body.participants].sort()).toEqual([LINE, CONTACT, FRIEND].sort());
    expect(body.group_display_name).toBe('Crew');
    const chatGuid = (bb.posts.at(-1)!.event.data as { chats: { guid: string }[] }).chats[0]!.guid;
    bb.receive({ from: FRIEND, text: 'Hello back', chatGuid });
    const second = await received('/receive', (b) => b.content === 'Hello back');
    expect(second.group_id).toBe(body.group_id);
    bb.renameGroup(chatGuid, 'Crew 2', FRIEND);
    const account = await server.server.store.findAccountByEmail('dev@tapback.local');
    await eventually(async () => {
      const group = await server.server.store.getGroup(account!.id, body.group_id);
      return group?.name === 'Crew 2' ? group : undefined;
    });
    bb.changeParticipant(chatGuid, NEWCOMER, CONTACT, true);
    bb.changeParticipant(chatGuid, FRIEND, CONTACT, false);
    await eventually(async () => {
      const group = await server.server.store.getGroup(account!.id, body.group_id);
      return group !== undefined && [...group.members].sort().join() === [CONTACT, NEWCOMER].sort().join()
        ? group
        : undefined;
    });
  });

  it('keeps an attachment in Tapback’s media store and links it as media_url', async () => {
    const bytes = Buffer.from('\x89PNG\r\n\x1a\nfake-image-bytes');
    bb.receive({ from: CONTACT, text: '', attachment: { name: 'photo.png', mimeType: 'image/png', bytes } });
    const body = await received('/receive', (b) => b.media_url.includes('/media/'));
    expect(body.media_url.startsWith(`${server.url}/media/`)).toBe(true);
    expect(body.content).toBe('');
    const served = await fetch(body.media_url);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('sends typing_indicator webhooks for a contact typing', async () => {
    bb.typing(CONTACT, true);
    const typing = await eventually(() => {
      const r = hooks.received.find((x) => x.path === '/typing');
      return r === undefined ? undefined : (JSON.parse(r.body) as Record<string, unknown>);
    });
    expect(typing).toMatchObject({ number: CONTACT, is_typing: true, from_number: LINE });
  });

  it('answers 404 to any other token and applies nothing', async () => {
    const event = {
      type: 'new-message',
      data: { ...bb.receive({ from: CONTACT, text: 'probe' }), guid: 'forged-guid', text: 'forged' },
    };
    const res = await fetch(`${server.url}/network-hooks/bluebubbles/${'A'.repeat(32)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 'ERROR', code: 'not_found' });
    await received('/receive', (b) => b.content === 'probe');
    await server.server.dispatcher.runDue();
    expect(hooks.received.some((r) => r.body.includes('forged'))).toBe(false);
  });
});
