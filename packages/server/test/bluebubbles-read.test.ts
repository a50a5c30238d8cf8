import SendblueAPI, { BadRequestError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { BlueBubblesStandin } from './support/bluebubbles-standin.js';
import { SdkEventReader } from './support/event-stream-reader.js';
import { sampleValue } from './support/prometheus-text.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';
import { type Receiver, eventually, startReceiver } from './support/webhook-receiver.js';

/**
 * Read receipts both ways, end to end on a real server: a contact reading a message sent through
 * a BlueBubbles line is recorded as its `date_read` (once, the status unchanged, with one status
 * callback), and `POST /api/mark-read` marks a conversation read on the line's network where it
 * can, and says so where it cannot. The official SDK drives it (`client.post` for mark-read, which
 * the SDK has no method for).
 */
const LINE = '+15550004000';
const LINE_NO_PRIVATE_API = '+15550004001';
const SMPP_LINE = '+15550004002';
const OTHER_ACCOUNTS_LINE = '+15550004003';
const CONTACT = '+14155550131';

interface WireBody {
  message_handle: string;
  status: string;
  status_sequence: number;
  date_read: string | null;
}

describe.each(SERVER_BACKENDS)('read receipts through BlueBubbles ($name)', (backend) => {
  let server: TestServer;
  let bb: BlueBubblesStandin;
  let bbNoPrivateApi: BlueBubblesStandin;
  let client: SendblueAPI;
  let hooks: Receiver;

  beforeAll(async () => {
    bb = await BlueBubblesStandin.start({ deliverAfterMs: null });
    bbNoPrivateApi = await BlueBubblesStandin.start({ deliverAfterMs: null, privateApi: false });
    hooks = await startReceiver();
    server = await startBackendServer(backend, {
      TAPBACK_LINES_RELOAD_MS: '100',
      TAPBACK_BLUEBUBBLES_POLL_MS: '600000',
      TAPBACK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8',
    });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
    const store = server.server.store;
    const account = await store.findAccountByEmail('dev@tapback.local');
    const now = Date.now();
    await store.addLine({
      accountId: account!.id,
      number: LINE,
      provider: 'bluebubbles',
      settings: { url: bb.url, password: bb.password },
      now,
    });
    await store.addLine({
      accountId: account!.id,
      number: LINE_NO_PRIVATE_API,
      provider: 'bluebubbles',
      settings: { url: bbNoPrivateApi.url, password: bbNoPrivateApi.password },
      now,
    });
    // No SMSC listens there: the line's provider runs (and has no read receipts) without connecting.
    await store.addLine({
      accountId: account!.id,
      number: SMPP_LINE,
      provider: 'smpp',
      settings: { url: 'smpp://tapback:secret@127.0.0.1:9' },
      now,
    });
    const other = await store.createAccount({ email: 'other@example.com', now });
    await store.addLine({ accountId: other.id, number: OTHER_ACCOUNTS_LINE, provider: 'sandbox', now });
    await eventually(async () => {
      const states = (await client.lines.getState()).data;
      const online = (line: string) => states.find((l) => l.sendblue_number === line)?.status === 'ONLINE';
      return online(LINE) && online(LINE_NO_PRIVATE_API) && bb.registeredWebhooks().length === 1 ? true : undefined;
    });
  });
  afterAll(async () => {
    await server?.close();
    await bb?.stop();
    await bbNoPrivateApi?.stop();
    await hooks?.close();
  });

  const status = (handle: string, wanted: string) =>
    eventually(async () => {
      const m = await client.messages.getStatus({ handle });
      return m.status === wanted ? m : undefined;
    });
  const callbacksOf = (handle: string) =>
    hooks.received
      .filter((r) => r.path === '/status')
      .map((r) => JSON.parse(r.body) as WireBody)
      .filter((b) => b.message_handle === handle);
  const markRead = (body: Record<string, unknown>) => client.post<Record<string, unknown>>('/api/mark-read', { body });
  const markReadError = async (body: Record<string, unknown>) => {
    const error = await markRead(body).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BadRequestError);
    return (error as BadRequestError).error as { code: string; details?: { field: string }[] };
  };

  it('records a contact’s read as date_read once, with one callback, the status staying DELIVERED', async () => {
    const reader = await SdkEventReader.open(client, { types: 'message.updated' });
    const sent = await client.messages.send({
      number: CONTACT,
      from_number: LINE,
      content: 'Did you read this?',
      status_callback: `${hooks.url}/status`,
    });
    const handle = sent.message_handle!;
    expect((sent as unknown as WireBody).date_read).toBeNull();
    await status(handle, 'SENT');
    const guid = bb.sent().find((m) => m.text === 'Did you read this?')!.guid;
    bb.deliver(guid);
    await status(handle, 'DELIVERED');

    bb.read(guid);
    const read = await eventually(async () => {
      const m = (await client.messages.getStatus({ handle })) as unknown as WireBody;
      return m.date_read !== null ? m : undefined;
    });
    expect(read.status).toBe('DELIVERED');
    expect(Date.parse(read.date_read!)).toBe(bb.message(guid)!.dateRead);
    const readCallback = await eventually(() => callbacksOf(handle).find((b) => b.date_read !== null));
    expect(readCallback).toMatchObject({ status: 'DELIVERED', date_read: read.date_read });
    expect(readCallback.status_sequence).toBe(read.status_sequence);
    // A read is no status change: DELIVERED is counted once, for the delivery.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const delivered = { provider: 'bluebubbles', status: 'DELIVERED' };
    expect(sampleValue(metrics, 'tapback_message_status_changes_total', delivered)).toBe(1);
    const events = await reader.until((es) => es.some((e) => e.data.date_read === read.date_read));
    reader.close();
    expect(events.filter((e) => e.data.message_handle === handle && e.data.date_read !== null)).toEqual([
      expect.objectContaining({
        type: 'message.updated',
        data: expect.objectContaining({ status: 'DELIVERED', previous_status: 'DELIVERED', date_read: read.date_read }),
      }),
    ]);

    // The same event again, then a second read of the row: the first read stands, nothing is sent.
    bb.emitDuplicateUpdate(guid);
    await bb.flush();
    bb.read(guid);
    await bb.flush();
    await server.server.dispatcher.runDue();
    const after = (await client.messages.getStatus({ handle })) as unknown as WireBody;
    expect(after).toMatchObject({
      status: 'DELIVERED',
      date_read: read.date_read,
      status_sequence: read.status_sequence,
    });
    const v2 = await client.messages.retrieve(handle);
    expect((v2.data as unknown as WireBody).date_read).toBe(read.date_read);
    expect(callbacksOf(handle).map((b) => [b.status, b.date_read])).toEqual([
      ['SENT', null],
      ['DELIVERED', null],
      ['DELIVERED', read.date_read],
    ]);
  });

  it('marks a conversation read through the Private API: POST /api/v1/chat/:guid/read', async () => {
    await client.messages.send({ number: CONTACT, from_number: LINE, content: 'hello again' });
    const before = bb.requests.length;
    const answer = await markRead({ number: CONTACT, from_number: LINE });
    expect(answer).toEqual({ status: 'OK', message: 'Mark read request sent', number: CONTACT });
    expect(bb.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toContain(
      `POST /api/v1/chat/iMessage;-;${CONTACT}/read`,
    );
  });

  it('answers read_receipts_unavailable for a BlueBubbles line without the Private API, and for SMPP', async () => {
    await client.messages.send({ number: CONTACT, from_number: LINE_NO_PRIVATE_API, content: 'no private api' });
    await client.messages.send({ number: CONTACT, from_number: SMPP_LINE, content: 'over sms' });
    const before = bbNoPrivateApi.requests.length;
    for (const line of [LINE_NO_PRIVATE_API, SMPP_LINE]) {
      const error = await markReadError({ number: CONTACT, from_number: line });
      expect(error).toMatchObject({ code: 'read_receipts_unavailable', details: [{ field: 'from_number' }] });
    }
    expect(bbNoPrivateApi.requests.slice(before).filter((r) => r.path.endsWith('/read'))).toEqual([]);
  });

  it('accepts mark-read on a sandbox line (it goes nowhere)', async () => {
    await client.messages.send({ number: CONTACT, from_number: server.line, content: 'sandbox' });
    expect(await markRead({ number: CONTACT, from_number: server.line })).toEqual({
      status: 'OK',
      message: 'Mark read request sent',
      number: CONTACT,
    });
  });

  it('refuses another account’s line as no line at all, a number with no conversation, and bad numbers', async () => {
    expect(await markReadError({ number: CONTACT, from_number: OTHER_ACCOUNTS_LINE })).toMatchObject({
      code: 'unknown_line',
      details: [{ field: 'from_number' }],
    });
    expect(await markReadError({ number: '+14155550199', from_number: LINE })).toMatchObject({
      code: 'no_route_mapping',
      details: [{ field: 'number' }],
    });
    expect(await markReadError({ number: 'not a number', from_number: LINE })).toMatchObject({
      code: 'invalid_phone_number',
    });
    expect(await markReadError({ from_number: LINE })).toMatchObject({ code: 'validation_failed' });
  });
});

describe.each(SERVER_BACKENDS)('read receipts found by polling BlueBubbles ($name)', (backend) => {
  let server: TestServer;
  let bb: BlueBubblesStandin;
  let client: SendblueAPI;

  beforeAll(async () => {
    bb = await BlueBubblesStandin.start({ deliverAfterMs: null });
    // The Mac cannot reach Tapback: every change arrives by polling.
    bb.reachWebhooks = false;
    server = await startBackendServer(backend, {
      TAPBACK_LINES_RELOAD_MS: '100',
      TAPBACK_BLUEBUBBLES_POLL_MS: '150',
      TAPBACK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8',
    });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url, maxRetries: 0 });
    const account = await server.server.store.findAccountByEmail('dev@tapback.local');
    await server.server.store.addLine({
      accountId: account!.id,
      number: LINE,
      provider: 'bluebubbles',
      settings: { url: bb.url, password: bb.password },
      now: Date.now(),
    });
    await eventually(async () => {
      const state = (await client.lines.getState()).data.find((l) => l.sendblue_number === LINE);
      return state?.status === 'ONLINE' ? true : undefined;
    });
  });
  afterAll(async () => {
    await server?.close();
    await bb?.stop();
  });

  it('records a read the poller finds (a row whose dateRead changed), the status staying DELIVERED', async () => {
    const sent = await client.messages.send({ number: CONTACT, from_number: LINE, content: 'read me, poller' });
    const handle = sent.message_handle!;
    const row = await eventually(() => bb.sent().find((m) => m.text === 'read me, poller'));
    bb.deliver(row.guid);
    await eventually(async () => {
      const m = await client.messages.getStatus({ handle });
      return m.status === 'DELIVERED' ? m : undefined;
    });
    bb.read(row.guid);
    const read = await eventually(async () => {
      const m = (await client.messages.getStatus({ handle })) as unknown as WireBody;
      return m.date_read !== null ? m : undefined;
    });
    expect(read.status).toBe('DELIVERED');
    expect(Date.parse(read.date_read!)).toBe(bb.message(row.guid)!.dateRead);
  });
});
