import SendblueAPI from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { FakeIMessageNetwork } from './support/fake-imessage-provider.js';
import { startServerWithProviders } from './support/routing-server.js';
import { ScriptedSmsc } from './support/scripted-smsc.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer } from './support/test-server.js';
import { eventually } from './support/webhook-receiver.js';

/**
 * SMS fallback over SMPP: iMessage lines (a scripted iMessage-only network) whose SMS fallback
 * lines are bound over SMPP to scripted SMSCs on loopback, one of them down.
 */
const IM_LINE = '+15550004000';
const SMPP_LINE = '+15550004001';
const IM_DOWN_LINE = '+15550004002';
const DOWN_LINE = '+15550004003';
const TEXTER = '+14155550177';
const ANDROID = '+14155550188';

describe.each(SERVER_BACKENDS)('SMS fallback over an SMPP line ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;
  let smsc: ScriptedSmsc;
  /** Where the down line points: an SMSC that is stopped, then started again on the same port. */
  let downUrl: string;
  const network = new FakeIMessageNetwork();
  network.lookups.set(TEXTER, 'SMS');
  network.scripts.set(ANDROID, 'not_imessage');

  beforeAll(async () => {
    smsc = await ScriptedSmsc.start();
    const gone = await ScriptedSmsc.start();
    downUrl = gone.url('window=10&rate=0');
    await gone.stop();
    server = await startServerWithProviders(backend, [network.factory()], {
      TAPBACK_LINES_RELOAD_MS: '100',
      TAPBACK_DELIVERY_RETRY_BASE_MS: '300',
      TAPBACK_DELIVERY_RETRY_MAX_MS: '300',
      TAPBACK_DELIVERY_MAX_ATTEMPTS: '4',
      TAPBACK_PROVIDER_RECONNECT_BASE_MS: '100',
      TAPBACK_PROVIDER_RECONNECT_MAX_MS: '200',
    });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url });
    const { store } = server.server;
    const account = (await store.findAccountByEmail('dev@tapback.local'))!;
    const now = Date.now();
    const smpp = (number: string, url: string) =>
      store.addLine({ accountId: account.id, number, provider: 'smpp', settings: { url }, now });
    await smpp(SMPP_LINE, smsc.url('window=10&rate=0&enquire_link=5'));
    await smpp(DOWN_LINE, downUrl);
    await store.addLine({ accountId: account.id, number: IM_LINE, provider: 'fake-imessage', now });
    await store.addLine({ accountId: account.id, number: IM_DOWN_LINE, provider: 'fake-imessage', now });
    await store.setLineRoute({ number: IM_LINE, fallbackLine: SMPP_LINE, fallbackAfterMs: null, now });
    await store.setLineRoute({ number: IM_DOWN_LINE, fallbackLine: DOWN_LINE, fallbackAfterMs: null, now });
    await server.server.providers.reload();
    await eventually(async () => {
      const state = (await client.lines.getState()).data.find((l) => l.sendblue_number === SMPP_LINE);
      return state?.status === 'ONLINE' ? state : undefined;
    });
  });
  afterAll(async () => {
    await server?.close();
    await smsc?.stop();
  });

  const send = (from: string, to: string) =>
    client.messages.send({ number: to, from_number: from, content: 'fallback' });
  const final = (handle: string) =>
    eventually(async () => {
      const m = await client.messages.getStatus({ handle });
      return ['DELIVERED', 'ERROR'].includes(String(m.status)) ? m : undefined;
    });

  it('sends an SMS-only recipient’s message through the SMPP fallback line, delivered by its receipt', async () => {
    const sent = await send(IM_LINE, TEXTER);
    const done = await final(sent.message_handle!);
    expect(done).toMatchObject({ status: 'DELIVERED', service: 'SMS', was_downgraded: true, from_number: IM_LINE });
    // Out from the fallback line's number: the only one its SMSC knows.
    expect(smsc.submits.filter((s) => s.destAddr === TEXTER.slice(1)).map((s) => s.sourceAddr)).toEqual([
      SMPP_LINE.slice(1),
    ]);
    expect(network.sendsTo(TEXTER)).toEqual([]);
  });

  it('sends by SMPP after iMessage refused the recipient as not an iMessage user', async () => {
    const sent = await send(IM_LINE, ANDROID);
    const done = await final(sent.message_handle!);
    expect(done).toMatchObject({ status: 'DELIVERED', service: 'SMS', was_downgraded: true });
    expect(network.sendsTo(ANDROID)).toHaveLength(1);
    expect(smsc.timesSeen(ANDROID.slice(1))).toBe(1);
  });

  it('retries while the fallback line is down and ends in ERROR naming it once the attempts run out', async () => {
    const sent = await send(IM_DOWN_LINE, TEXTER);
    const done = await final(sent.message_handle!);
    expect(done).toMatchObject({ status: 'ERROR', service: 'SMS', was_downgraded: true });
    expect(String((done as { error_reason?: unknown }).error_reason)).toContain(`SMS fallback line ${DOWN_LINE}`);
  });

  it('sends the message once the fallback line is back', async () => {
    const sent = await send(IM_DOWN_LINE, TEXTER);
    // The first attempt fails (nothing listens there): the message waits, moved to SMS, for a retry.
    await eventually(async () => {
      const m = await client.messages.getStatus({ handle: sent.message_handle! });
      return m.status === 'QUEUED' && (m as { service?: unknown }).service === 'SMS' ? m : undefined;
    });
    expect(smsc.submits.filter((s) => s.sourceAddr === DOWN_LINE.slice(1))).toHaveLength(0);
    // Then the line's SMSC is back (the line now binds to a live one).
    await server.server.store.updateLine({
      number: DOWN_LINE,
      provider: 'smpp',
      settings: { url: smsc.url('window=10&rate=0&enquire_link=5') },
      now: Date.now(),
    });
    const done = await final(sent.message_handle!);
    expect(done).toMatchObject({ status: 'DELIVERED', service: 'SMS', was_downgraded: true });
    expect(smsc.submits.filter((s) => s.sourceAddr === DOWN_LINE.slice(1))).toHaveLength(1);
  });
});
