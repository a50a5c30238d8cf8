import SendblueAPI from 'sendblue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { NetSmppSmsc } from './support/net-smpp-smsc.js';
import { ScriptedSmsc } from './support/scripted-smsc.js';
import {
  TEST_KEY_ID,
  TEST_SECRET,
  type TestServer,
  startBackendServer,
  startTestServer,
} from './support/test-server.js';
import { type Receiver, eventually, startReceiver } from './support/webhook-receiver.js';

/**
 * Tapback as an SMS gateway, end to end: the official SDK sends through a real server whose line
 * is bound over SMPP to a scripted SMSC on loopback; receipts and MO messages come back the same way.
 */
const LINE = '+15550002000';
const CONTACT = '+14155550100';

describe.each(SERVER_BACKENDS)('SMS over SMPP through the server ($name)', (backend) => {
  let server: TestServer;
  let smsc: ScriptedSmsc;
  let client: SendblueAPI;
  let hooks: Receiver;

  beforeAll(async () => {
    smsc = await ScriptedSmsc.start();
    hooks = await startReceiver();
    server = await startBackendServer(backend, {
      TAPBACK_LINES_RELOAD_MS: '100',
      TAPBACK_DELIVERY_RETRY_BASE_MS: '100',
      TAPBACK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8',
    });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url });
    const account = await server.server.store.findAccountByEmail('dev@tapback.local');
    await server.server.store.addLine({
      accountId: account!.id,
      number: LINE,
      provider: 'smpp',
      settings: { url: smsc.url('window=10&rate=0&enquire_link=5') },
      now: Date.now(),
    });
    await client.webhooks.create({ webhooks: [`${hooks.url}/receive`], type: 'receive' });
    await eventually(async () => {
      const state = (await client.lines.getState()).data.find((l) => l.sendblue_number === LINE);
      return state?.status === 'ONLINE' ? state : undefined;
    });
  });
  afterEach(() => {
    smsc.onSubmit = () => ({ receipt: { stat: 'DELIVRD' } });
  });
  afterAll(async () => {
    await server?.close();
    await smsc?.stop();
    await hooks?.close();
  });

  const send = (content: string, extra: Record<string, unknown> = {}) =>
    client.messages.send({ number: CONTACT, from_number: LINE, content, ...extra });
  const finalStatus = (handle: string, wanted: string[] = ['DELIVERED', 'ERROR']) =>
    eventually(async () => {
      const m = await client.messages.getStatus({ handle });
      return wanted.includes(String(m.status)) ? m : undefined;
    });

  it('delivers a text: QUEUED → SENT (service SMS) → DELIVERED by the receipt, with a status callback for each', async () => {
    const sent = await send('Hello over SMPP', { status_callback: `${hooks.url}/status` });
    expect(sent.status).toBe('QUEUED');
    const done = await finalStatus(sent.message_handle!);
    expect(done).toMatchObject({ status: 'DELIVERED', service: 'SMS' });
    expect(smsc.texts(CONTACT.slice(1))).toContain('Hello over SMPP');
    const callbacks = await eventually(() => {
      const mine = hooks.received.filter((r) => r.path === '/status' && r.body.includes(sent.message_handle!));
      return mine.length >= 2 ? mine : undefined;
    });
    expect(callbacks.map((c) => (JSON.parse(c.body) as { status: string }).status)).toEqual(['SENT', 'DELIVERED']);
  });

  it('applies a receipt that beats its submit_sm_resp, ending DELIVERED', async () => {
    smsc.onSubmit = () => ({ receipt: { stat: 'DELIVRD', before: true }, delayMs: 50 });
    const sent = await send('Receipt first');
    expect(await finalStatus(sent.message_handle!)).toMatchObject({ status: 'DELIVERED' });
  });

  it('ends a permanent refusal in ERROR with the SMPP status in error_detail', async () => {
    smsc.onSubmit = () => ({ status: 0x0b });
    const sent = await send('To nowhere');
    const failed = await finalStatus(sent.message_handle!);
    expect(failed).toMatchObject({ status: 'ERROR', error_code: 10001 });
    expect(String((failed as { error_detail?: string }).error_detail)).toMatch(/ESME_RINVDSTADR/);
  });

  it('retries a throttled submit and delivers it, sending it to the SMSC once accepted', async () => {
    let refusals = 0;
    smsc.onSubmit = () => (refusals++ < 2 ? { status: 0x58 } : { receipt: { stat: 'DELIVRD' } });
    const sent = await send('Throttled first');
    expect(await finalStatus(sent.message_handle!)).toMatchObject({ status: 'DELIVERED' });
    expect(refusals).toBe(3);
  });

  it('reports an undeliverable receipt as ERROR with the carrier’s error', async () => {
    smsc.onSubmit = () => ({ receipt: { stat: 'UNDELIV', err: '005' } });
    const sent = await send('Undeliverable');
    const failed = await finalStatus(sent.message_handle!);
    expect(failed.status).toBe('ERROR');
    expect(String((failed as { error_detail?: string }).error_detail)).toMatch(/UNDELIV/);
  });

  it('folds a long UCS-2 message’s segment receipts into one DELIVERED', async () => {
    const text = 'Grüße aus Köln 🚀 '.repeat(8);
    const before = smsc.submits.length;
    const sent = await send(text);
    expect(await finalStatus(sent.message_handle!)).toMatchObject({ status: 'DELIVERED' });
    expect(smsc.submits.length - before).toBeGreaterThan(1);
    expect(smsc.texts(CONTACT.slice(1))).toContain(text);
  });

  it('turns an MO message, concatenated in parts, into one RECEIVED message and a receive webhook', async () => {
    const text = 'Reply from a phone that is long enough to arrive in three parts over the SMPP bind!!';
    const statuses = await smsc.sendMo({
      from: CONTACT.slice(1),
      to: LINE.slice(1),
      text,
      split: { octets: 30, by: 'udh8', reference: 42 },
    });
    expect(statuses.every((s) => s === 0)).toBe(true);
    const inbound = await eventually(async () => {
      const list = await client.messages.list({ is_outbound: false, number: CONTACT } as never);
      return (list.data ?? []).find((m) => m.content === text);
    });
    expect(inbound).toMatchObject({ status: 'RECEIVED', service: 'SMS', from_number: CONTACT, to_number: LINE });
    await eventually(() => hooks.received.find((r) => r.path === '/receive' && r.body.includes(text)));
  });

  it('fetches a media URL before sending it over SMS: a good one goes out as a link, a bad one fails the message', async () => {
    const origin = await startReceiver((r) =>
      r.path.startsWith('/ok') ? { status: 200, headers: { 'content-type': 'image/jpeg' } } : 404,
    );
    try {
      const good = await send('See the photo', { media_url: `${origin.url}/ok/photo.jpg` });
      expect(await finalStatus(good.message_handle!)).toMatchObject({ status: 'DELIVERED' });
      expect(smsc.texts(CONTACT.slice(1))).toContain(`See the photo\n${origin.url}/ok/photo.jpg`);
      const bad = await send('Broken photo', { media_url: `${origin.url}/missing.jpg` });
      const failed = await finalStatus(bad.message_handle!, ['ERROR']);
      expect(String((failed as { error_reason?: string }).error_reason)).toMatch(
        /media_url could not be fetched: answered HTTP 404/,
      );
      expect(smsc.texts(CONTACT.slice(1)).some((t) => t.startsWith('Broken photo'))).toBe(false);
    } finally {
      await origin.close();
    }
  });

  it('reconnects after the SMSC drops the connection, and reports the line ONLINE again', async () => {
    smsc.dropConnections();
    await eventually(async () => {
      const state = (await client.lines.getState()).data.find((l) => l.sendblue_number === LINE);
      return state?.status === 'ONLINE' && smsc.sessions > 0 ? state : undefined;
    }, 20_000);
    const sent = await send('After the reconnect');
    expect(await finalStatus(sent.message_handle!)).toMatchObject({ status: 'DELIVERED' });
  });
});

/**
 * The same path against an SMSC nobody here wrote: Perl's Net::SMPP, whose independent PDU codec
 * catches what a test against the same library cannot. Its receipts carry the id in decimal, its
 * submit_sm_resp in hex.
 */
describe('SMS over SMPP through the server, against Net::SMPP', () => {
  let server: TestServer;
  let smsc: NetSmppSmsc;
  let client: SendblueAPI;

  beforeAll(async () => {
    smsc = await NetSmppSmsc.start();
    server = await startTestServer({ TAPBACK_LINES_RELOAD_MS: '100' });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url });
    const account = await server.server.store.findAccountByEmail('dev@tapback.local');
    await server.server.store.addLine({
      accountId: account!.id,
      number: LINE,
      provider: 'smpp',
      settings: { url: smsc.url('submit_id=hex&receipt_id=decimal') },
      now: Date.now(),
    });
    await eventually(async () => {
      const state = (await client.lines.getState()).data.find((l) => l.sendblue_number === LINE);
      return state?.status === 'ONLINE' ? state : undefined;
    });
  });
  afterAll(async () => {
    await server?.close();
    await smsc?.stop();
  });

  it('binds, submits, and reaches DELIVERED through the decimal-id receipt; an MO becomes RECEIVED', async () => {
    const sent = await client.messages.send({ number: CONTACT, from_number: LINE, content: 'Hello Net::SMPP' });
    const done = await eventually(async () => {
      const m = await client.messages.getStatus({ handle: sent.message_handle! });
      return m.status === 'DELIVERED' ? m : undefined;
    });
    expect(done).toMatchObject({ status: 'DELIVERED', service: 'SMS' });
    expect(smsc.submits.map((s) => s.shortMessage.toString('latin1'))).toContain('Hello Net::SMPP');

    expect(await smsc.mo(CONTACT.slice(1), LINE.slice(1), Buffer.from('Hi from Perl', 'latin1'))).toBe(0);
    const inbound = await eventually(async () => {
      const list = await client.messages.list({ is_outbound: false, number: CONTACT } as never);
      return (list.data ?? []).find((m) => m.content === 'Hi from Perl');
    });
    expect(inbound).toMatchObject({ status: 'RECEIVED', from_number: CONTACT, to_number: LINE });
  });
});
