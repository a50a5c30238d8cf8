import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlueBubblesStandin } from '../../../../test/support/bluebubbles-standin.js';
import { startReceiver, type Receiver } from '../../../../test/support/webhook-receiver.js';
import { BlueBubblesClient, BlueBubblesError } from './bluebubbles-client.js';
import { BB_SUBSCRIBED_EVENTS } from './bluebubbles-wire.js';

const never = new AbortController().signal;
let standin: BlueBubblesStandin;
let receiver: Receiver | undefined;

beforeEach(async () => {
  standin = await BlueBubblesStandin.start({ password: 'pw 1&2' });
});
afterEach(async () => {
  await standin.stop();
  await receiver?.close();
  receiver = undefined;
});

function client(password = 'pw 1&2', timeoutMs?: number): BlueBubblesClient {
  return new BlueBubblesClient({ url: standin.url, password, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

async function failure(p: Promise<unknown>): Promise<BlueBubblesError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(BlueBubblesError);
  return e as BlueBubblesError;
}

describe('BlueBubbles client against the stand-in', () => {
  it('authenticates with the password query parameter, escaped', async () => {
    await client().ping(never);
    expect(standin.requests[0]).toMatchObject({ method: 'GET', path: '/api/v1/ping', query: { password: 'pw 1&2' } });
  });

  it('turns a wrong password into a 401 BlueBubblesError with the server’s words', async () => {
    const e = await failure(client('nope').ping(never));
    expect(e).toMatchObject({ kind: 'http', status: 401, errorType: 'Authentication Error' });
    expect(e.serverMessage).toBe('You are not authorized to access this resource: Unauthorized');
    expect(e.transient).toBe(false);
  });

  it('reads server info: the Private API switch and the helper', async () => {
    standin.helperConnected = false;
    const info = await client().serverInfo(never);
    expect(info).toMatchObject({ private_api: true, helper_connected: false, os_version: '14.6.1' });
  });

  it('sends text with the tempGuid echoed and the body the validator expects', async () => {
    const sent = await client().sendText(
      { chatGuid: 'iMessage;-;+15557654321', tempGuid: 't-1', message: 'hi', method: 'apple-script' },
      never,
    );
    expect(sent).toMatchObject({ tempGuid: 't-1', text: 'hi', isFromMe: true, error: 0, dateDelivered: null });
    expect(sent.guid).toMatch(/^p:0\//);
    expect(sent.chats?.[0]).toMatchObject({ guid: 'iMessage;-;+15557654321', style: 45 });
    expect(standin.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/v1/message/text',
      body: { chatGuid: 'iMessage;-;+15557654321', tempGuid: 't-1', message: 'hi', method: 'apple-script' },
    });
  });

  it('carries the failed message (error 22) of a send to a non-iMessage number in the error', async () => {
    standin.iMessageUsers = () => false;
    const e = await failure(
      client().sendText({ chatGuid: 'iMessage;-;+15550000000', tempGuid: 't-2', message: 'hi' }, never),
    );
    expect(e).toMatchObject({ kind: 'http', status: 500, errorType: 'iMessage Error' });
    expect((e.data as { error: number }).error).toBe(22);
    expect(e.serverMessage).toContain('Message Send Error');
  });

  it('reports a 400 with the validator’s message', async () => {
    const e = await failure(client().sendText({ chatGuid: 'iMessage;-;+1555', tempGuid: '', message: 'x' }, never));
    expect(e).toMatchObject({ status: 400, errorType: 'Validation Error' });
    expect(e.serverMessage).toContain(`A 'tempGuid' is required when sending via AppleScript`);
  });

  it('uploads an attachment as multipart and downloads it again', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x0d, 0x0a, 0x2d, 0x2d]);
    const sent = await client().sendAttachment(
      { chatGuid: 'iMessage;-;+15557654321', tempGuid: 't-3', name: 'pic.jpg', bytes, mimeType: 'image/jpeg' },
      never,
    );
    const attachment = sent.attachments?.[0];
    expect(attachment).toMatchObject({ mimeType: 'image/jpeg', transferName: 'pic.jpg', totalBytes: 8 });
    expect(standin.uploads.get(attachment!.guid)?.bytes.equals(bytes)).toBe(true);
    const got = await client().downloadAttachment(attachment!.guid, never);
    expect(Buffer.from(got.bytes).equals(bytes)).toBe(true);
    expect(got.mimeType).toBe('image/jpeg');
    expect(standin.requests.at(-1)?.query).toMatchObject({ original: 'true' });
  });

  it('refuses a download larger than the limit', async () => {
    const m = standin.receive({
      from: '+15557654321',
      text: '',
      attachment: { name: 'a.bin', mimeType: 'application/pdf', bytes: Buffer.alloc(2048) },
    });
    const e = await failure(client().downloadAttachment(m.attachments![0]!.guid, never, 1024));
    expect(e.kind).toBe('invalid');
  });

  it('gets a message by guid, and a missing one is a 404', async () => {
    const m = standin.receive({ from: '+15557654321', text: 'yo' });
    expect(await client().getMessage(m.guid, never)).toMatchObject({ guid: m.guid, text: 'yo', isFromMe: false });
    const e = await failure(client().getMessage('nope', never));
    expect(e).toMatchObject({
      status: 404,
      serverMessage: 'The requested resource was not found: Message does not exist!',
    });
  });

  it('queries messages after a date, oldest first, with page metadata', async () => {
    const first = standin.receive({ from: '+15557654321', text: 'one' });
    standin.receive({ from: '+15557654321', text: 'two' });
    const page = await client().queryMessages(
      { after: first.dateCreated!, sort: 'ASC', limit: 1, with: ['chat'] },
      never,
    );
    expect(page.messages.map((m) => m.text)).toEqual(['one']);
    expect(page.metadata).toEqual({ offset: 0, limit: 1, total: 2, count: 1 });
    standin.receive({ from: '+15551110001', text: 'group', group: { participants: ['+15551110002'] } });
    const withParticipants = await client().queryMessages({ limit: 1, with: ['chat', 'chat.participants'] }, never);
    expect(withParticipants.messages[0]!.chats![0]!.participants!.map((p) => p.address)).toEqual([
      '+15551110001',
      '+15551110002',
    ]);
    expect(page.messages[0]!.chats![0]).not.toHaveProperty('participants');
    const bad = await failure(client().queryMessages({ limit: 5000 }, never));
    expect(bad.status).toBe(400);
  });

  it('registers, lists and deletes webhooks; a restart forgets them', async () => {
    receiver = await startReceiver();
    const c = client();
    const hook = await c.createWebhook({ url: receiver.url, events: BB_SUBSCRIBED_EVENTS }, never);
    expect(hook).toMatchObject({ url: receiver.url, events: [...BB_SUBSCRIBED_EVENTS] });
    expect(await c.createWebhook({ url: receiver.url, events: ['*'] }, never)).toEqual(hook);
    expect(await c.listWebhooks(never, receiver.url)).toEqual([hook]);
    const invalid = await failure(c.createWebhook({ url: receiver.url, events: ['nope' as never] }, never));
    expect(invalid.serverMessage).toContain('Invalid webhook event: nope!');
    standin.restart();
    expect(await c.listWebhooks(never)).toEqual([]);
    const again = await c.createWebhook({ url: receiver.url, events: ['*'] }, never);
    await c.deleteWebhook(again.id, never);
    expect((await failure(c.deleteWebhook(again.id, never))).status).toBe(404);
  });

  it('posts events to webhooks as { type, data } JSON, and none while webhooks are unreachable', async () => {
    receiver = await startReceiver();
    await client().createWebhook({ url: receiver.url, events: ['new-message'] }, never);
    const m = standin.receive({ from: '+15557654321', text: 'ping' });
    const [post] = await receiver.waitFor(1);
    expect(post!.headers['content-type']).toBe('application/json');
    const event = JSON.parse(post!.body) as { type: string; data: { guid: string; text: string } };
    expect(event.type).toBe('new-message');
    expect(event.data).toMatchObject({ guid: m.guid, text: 'ping' });
    standin.reachWebhooks = false;
    standin.typing('+15557654321', true);
    standin.receive({ from: '+15557654321', text: 'unheard' });
    await standin.flush();
    expect(receiver.received).toHaveLength(1);
  });

  it('asks iMessage availability, which needs the Private API', async () => {
    standin.iMessageUsers = (a) => a === '+15557654321';
    expect(await client().imessageAvailability('+15557654321', never)).toBe(true);
    expect(await client().imessageAvailability('+15550000000', never)).toBe(false);
    standin.privateApi = false;
    const e = await failure(client().imessageAvailability('+15557654321', never));
    expect(e).toMatchObject({ status: 500, errorType: 'iMessage Error' });
    expect(e.serverMessage).toContain('iMessage Private API is not enabled!');
  });

  it('starts and stops typing and marks a chat read through the Private API', async () => {
    const c = client();
    await c.startTyping('iMessage;-;+15557654321', never);
    await c.stopTyping('iMessage;-;+15557654321', never);
    await c.markRead('iMessage;-;+15557654321', never);
    expect(standin.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/chat/iMessage;-;+15557654321/typing',
      'DELETE /api/v1/chat/iMessage;-;+15557654321/typing',
      'POST /api/v1/chat/iMessage;-;+15557654321/read',
    ]);
    standin.helperConnected = false;
    expect((await failure(c.startTyping('iMessage;-;+15557654321', never))).serverMessage).toContain(
      'Helper is not connected',
    );
  });

  it('finds a group chat by its participants, in any order', async () => {
    const guid = standin.addGroupChat(['+15551110001', 'friend@example.com', '+15551110002'], 'Crew');
    standin.addGroupChat(['+15551110001', '+15551110002']);
    const found = await client().findGroupChat(['+15551110002', '+15551110001', 'Friend@Example.com'], never);
    expect(found).toMatchObject({ guid, displayName: 'Crew', style: 43 });
    expect(await client().findGroupChat(['+15551119999', '+15551110001'], never)).toBeUndefined();
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    const hang: Server = createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const port = (hang.address() as AddressInfo).port;
    try {
      const c = new BlueBubblesClient({ url: `http://127.0.0.1:${port}`, password: 'x', timeoutMs: 100 });
      const e = await failure(c.ping(never));
      expect(e).toMatchObject({ kind: 'timeout', status: 0 });
      expect(e.transient).toBe(true);
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((r) => hang.close(() => r()));
    }
  });

  it('reports a refused connection as a network error', async () => {
    const url = standin.url;
    await standin.stop();
    standin = await BlueBubblesStandin.start();
    const e = await failure(new BlueBubblesClient({ url, password: 'x' }).ping(never));
    expect(e).toMatchObject({ kind: 'network', status: 0 });
  });
});
