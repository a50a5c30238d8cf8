import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import smpp from 'smpp';
import type { ProviderConnection, SendResult } from '../provider.js';
import { ScriptedSmsc } from '../../../../test/support/scripted-smsc.js';
import { RecordingProviderEvents, outboundSms } from '../../../../test/support/recording-provider-events.js';
import { smppProviderFactory } from './smpp-settings.js';
import type { SmppProvider } from './smpp-provider.js';
import { smsSegments } from '../../../domain/sms-segments.js';

const LINE = '+15550001111';
const TO = '+447700900123';
const deps = { now: () => Date.now(), logger: pino({ level: 'silent' }) };
const never = new AbortController().signal;

let smsc: ScriptedSmsc;
let events: RecordingProviderEvents;
let open: ProviderConnection[] = [];

beforeEach(async () => {
  smsc = await ScriptedSmsc.start();
  events = new RecordingProviderEvents();
});
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
  await smsc.stop();
});

async function connected(query = 'rate=0'): Promise<SmppProvider> {
  const provider = smppProviderFactory.create(
    smppProviderFactory.parse({ url: smsc.url(query) }),
    deps,
  ) as SmppProvider;
  open.push(await provider.connect(events, never));
  return provider;
}

function send(provider: SmppProvider, content: string, to = TO): Promise<SendResult> {
  return provider.send({ message: outboundSms(LINE, to, content), attempt: 1, service: 'SMS' }, never);
}

describe('SMPP provider against the scripted SMSC', () => {
  it('binds as a transceiver, submits, and matches the decimal receipt to the hex submit_sm_resp id', async () => {
    const provider = await connected();
    const result = await send(provider, 'hello');
    expect(smsc.binds).toEqual(['bind_transceiver']);
    const id = String(smsc.submits[0]!.id);
    expect(result).toEqual({
      kind: 'accepted',
      networkMessageIds: [id],
      patches: [{ status: 'SENT', service: 'SMS' }],
    });
    expect(smsc.submits[0]).toMatchObject({
      sourceAddr: '15550001111',
      destAddr: '447700900123',
      registeredDelivery: 1,
    });
    await events.until((e) => e.statuses.length === 1);
    expect(events.statuses[0]).toEqual({
      line: LINE,
      networkMessageId: id,
      patch: { status: 'DELIVERED', service: 'SMS' },
    });
  });

  it('matches a receipted_message_id TLV (hex) to the same canonical id', async () => {
    smsc.receiptedIdTlv = true;
    const provider = await connected();
    const result = await send(provider, 'hello');
    await events.until((e) => e.statuses.length === 1);
    expect(result.kind === 'accepted' && result.networkMessageIds).toEqual([events.statuses[0]!.networkMessageId]);
  });

  it('binds a transmitter and a receiver when bind=transmitter_receiver, receipts arriving on the receiver', async () => {
    const provider = await connected('rate=0&bind=transmitter_receiver');
    expect([...smsc.binds].sort()).toEqual(['bind_receiver', 'bind_transmitter']);
    const result = await send(provider, 'two binds');
    expect(result.kind).toBe('accepted');
    await events.until((e) => e.statuses.length === 1);
    expect(events.statuses[0]!.patch.status).toBe('DELIVERED');
  });

  it.each([
    ['ESME_RTHROTTLED', 'SMPP command_status 0x00000058 (ESME_RTHROTTLED)'],
    ['ESME_RMSGQFUL', 'SMPP command_status 0x00000014 (ESME_RMSGQFUL)'],
  ])('reports %s as a transient failure', async (name, detail) => {
    smsc.onSubmit = () => ({ status: smpp.errors[name] });
    const result = await send(await connected(), 'slow down');
    expect(result).toMatchObject({ kind: 'failed', retryable: true, errorCode: 10001, errorDetail: detail });
  });

  it('reads a data_sm receipt from its receipted_message_id and message_state TLVs', async () => {
    smsc.onSubmit = () => ({ receipt: null });
    const result = await send(await connected(), 'tlv only');
    const id = smsc.submits[0]!.id;
    const status = await smsc.deliver(
      {
        source_addr: '447700900123',
        destination_addr: '15550001111',
        esm_class: 0x04,
        receipted_message_id: id.toString(16),
        message_state: 5,
      },
      'data_sm',
    );
    expect(status).toBe(0);
    expect(result.kind === 'accepted' && result.networkMessageIds).toEqual([String(id)]);
    expect(events.statuses).toEqual([
      {
        line: LINE,
        networkMessageId: String(id),
        patch: expect.objectContaining({ status: 'ERROR', errorDetail: 'SMPP receipt stat:UNDELIV' }),
      },
    ]);
  });

  it('sends enquire_link keep-alives, and drops a connection whose SMSC stops answering them', async () => {
    const provider = smppProviderFactory.create(
      smppProviderFactory.parse({ url: smsc.url('enquire_link=1&timeout=1') }),
      deps,
    );
    const conn = await provider.connect(events, never);
    open.push(conn);
    await vi.waitFor(() => expect(smsc.enquireLinks).toBeGreaterThanOrEqual(1), { timeout: 3000 });
    smsc.answerEnquireLink = false;
    const why = await conn.closed;
    expect(why?.message).toMatch(/no enquire_link_resp within 1000 ms/);
  });

  it('reports ESME_RINVDSTADR as a permanent failure with the command status', async () => {
    smsc.onSubmit = () => ({ status: smpp.errors.ESME_RINVDSTADR });
    const result = await send(await connected(), 'nobody');
    expect(result).toEqual({
      kind: 'failed',
      retryable: false,
      errorCode: 10001,
      errorMessage: 'Message failed to send',
      errorReason: 'the SMSC refused the message',
      errorDetail: 'SMPP command_status 0x0000000B (ESME_RINVDSTADR)',
    });
  });

  it('reports a failed receipt as ERROR with the carrier error', async () => {
    smsc.onSubmit = () => ({ receipt: { stat: 'UNDELIV', err: '034' } });
    await send(await connected(), 'lost');
    await events.until((e) => e.statuses.length === 1);
    expect(events.statuses[0]!.patch).toMatchObject({
      status: 'ERROR',
      errorCode: 10001,
      errorDetail: 'SMPP receipt stat:UNDELIV err:034',
    });
  });

  it('reports a receipt that arrives before its submit_sm_resp, under the id the send then returns', async () => {
    smsc.onSubmit = () => ({ receipt: { stat: 'DELIVRD', before: true } });
    const result = await send(await connected(), 'race');
    // The receipt was acknowledged (so reported) before the response that carries the id came.
    expect(events.statuses).toHaveLength(1);
    expect(result.kind === 'accepted' && result.networkMessageIds).toEqual([events.statuses[0]!.networkMessageId]);
  });

  it('loses the connection when the SMSC drops it mid-send, then reconnects when connect is called again', async () => {
    const provider = smppProviderFactory.create(smppProviderFactory.parse({ url: smsc.url('rate=0') }), deps);
    const first = await provider.connect(events, never);
    smsc.onSubmit = () => ({ drop: true });
    const lost = await provider.send({ message: outboundSms(LINE, TO, 'dropped'), attempt: 1, service: 'SMS' }, never);
    expect(lost).toMatchObject({ kind: 'failed', retryable: true });
    expect(await first.closed).toBeInstanceOf(Error);
    smsc.onSubmit = () => ({ receipt: { stat: 'DELIVRD' } });
    open.push(await provider.connect(events, never));
    const again = await provider.send({ message: outboundSms(LINE, TO, 'dropped'), attempt: 2, service: 'SMS' }, never);
    expect(again.kind).toBe('accepted');
    expect(smsc.timesSeen('447700900123')).toBe(2);
    expect(smsc.binds).toHaveLength(2);
  });

  it('unbinds cleanly on close and settles closed with undefined', async () => {
    const provider = smppProviderFactory.create(smppProviderFactory.parse({ url: smsc.url() }), deps);
    const conn = await provider.connect(events, never);
    await conn.close();
    await conn.close();
    expect(await conn.closed).toBeUndefined();
    const result = await provider.send(
      { message: outboundSms(LINE, TO, 'after close'), attempt: 1, service: 'SMS' },
      never,
    );
    expect(result).toMatchObject({ kind: 'failed', retryable: true });
  });

  it('splits a long UCS-2 text into concatenated parts that reassemble to it, one id per part', async () => {
    const text = 'Привет, мир! 👋 '.repeat(13);
    const result = await send(await connected(), text);
    expect(smsSegments(text)).toEqual({ encoding: 'UCS-2', segments: 4, units: 208 });
    expect(smsc.submits.length).toBe(4);
    expect(smsc.submits.every((s) => s.dataCoding === 0x08 && s.esmClass === 0x40)).toBe(true);
    expect(smsc.texts('447700900123')).toEqual([text]);
    expect(result.kind === 'accepted' && result.networkMessageIds).toEqual(smsc.submits.map((s) => String(s.id)));
  });

  it('splits a long GSM text with extension characters without splitting an escape', async () => {
    const text = `${'a'.repeat(152)}€ and {braces} [brackets] ~tilde^ |pipe| \\ ${'b'.repeat(150)}`;
    await send(await connected(), text);
    expect(smsc.submits.every((s) => s.dataCoding === 0x00)).toBe(true);
    expect(smsc.submits[0]!.shortMessage.length).toBe(6 + 152);
    expect(smsc.texts('447700900123')).toEqual([text]);
  });
});

describe('SMPP provider inbound (MO)', () => {
  it('turns an MO deliver_sm into onInbound and acknowledges it', async () => {
    await connected();
    expect(await smsc.sendMo({ from: '447700900123', to: '15550001111', text: 'Hi there' })).toEqual([0]);
    expect(events.inbound).toEqual([{ line: LINE, from: TO, content: 'Hi there', service: 'SMS' }]);
  });

  it('answers ESME_RX_T_APPN when the event cannot be committed, and takes the redelivery', async () => {
    await connected();
    events.reject = 1;
    expect(await smsc.sendMo({ from: '447700900123', to: '15550001111', text: 'retry me' })).toEqual([0x64]);
    expect(events.inbound).toEqual([]);
    expect(await smsc.sendMo({ from: '447700900123', to: '15550001111', text: 'retry me' })).toEqual([0]);
    expect(events.inbound.map((m) => m.content)).toEqual(['retry me']);
  });

  it.each([
    ['udh8', 0x00, 'GSM text with {extension} € chars split over parts '.repeat(5)],
    ['udh16', 0x08, 'Ünïcödé 👋 split by a 16-bit reference '.repeat(4)],
    ['sar', 0x08, 'SAR TLVs 👍 carry this one '.repeat(6)],
  ] as const)('reassembles a concatenated MO (%s)', async (by, dataCoding, text) => {
    await connected();
    // 63 octets: odd, so UCS-2 surrogate pairs and GSM escapes straddle parts.
    const statuses = await smsc.sendMo({
      from: '447700900123',
      to: '15550001111',
      text,
      dataCoding,
      split: { octets: 63, by, reference: 300 },
    });
    expect(statuses.length).toBeGreaterThan(2);
    expect(statuses.every((s) => s === 0)).toBe(true);
    expect(events.inbound.map((m) => m.content)).toEqual([text]);
  });
});

describe('SMPP provider pacing', () => {
  it('keeps at most `window` submit_sm outstanding', async () => {
    const provider = await connected('rate=0&window=3');
    smsc.onSubmit = () => ({ receipt: null, delayMs: 30 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => send(provider, `m${i}`)));
    expect(results.every((r) => r.kind === 'accepted')).toBe(true);
    expect(smsc.peakOutstanding).toBe(3);
  });

  it('paces a line to `rate` messages per second', async () => {
    const provider = await connected('rate=50&window=10');
    smsc.onSubmit = () => ({ receipt: null });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 101 }, (_, i) => send(provider, `r${i}`)));
    expect(results.every((r) => r.kind === 'accepted')).toBe(true);
    // 101 submits at 50/s: the first at once, then 100 gaps of 20 ms = 2 s (less a timer's 1 ms rounding).
    const elapsed = (smsc.submits.at(-1)!.at - started) / 1000;
    expect(elapsed).toBeGreaterThan(1.98);
    expect(elapsed).toBeLessThan(2.6);
  });
});
