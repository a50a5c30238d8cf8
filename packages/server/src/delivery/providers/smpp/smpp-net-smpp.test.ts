import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Provider, ProviderConnection } from '../provider.js';
import { NetSmppSmsc } from '../../../../test/support/net-smpp-smsc.js';
import { RecordingProviderEvents, outboundSms } from '../../../../test/support/recording-provider-events.js';
import { smppProviderFactory } from './smpp-settings.js';
import { decodeShortMessage, splitUdh } from './smpp-encoding.js';

/** The provider against an SMSC on Perl's Net::SMPP: a PDU codec that shares nothing with ours. */
const LINE = '+15550002222';
const TO = '+33612345678';
const deps = { now: () => Date.now(), logger: pino({ level: 'silent' }) };
const never = new AbortController().signal;

let smsc: NetSmppSmsc;
let events: RecordingProviderEvents;
let provider: Provider;
let conn: ProviderConnection | undefined;

beforeEach(async () => {
  smsc = await NetSmppSmsc.start();
  events = new RecordingProviderEvents();
  provider = smppProviderFactory.create(smppProviderFactory.parse({ url: smsc.url('rate=0') }), deps);
  conn = await provider.connect(events, never);
});
afterEach(async () => {
  await conn?.close();
  await smsc.stop();
});

describe('SMPP provider against Net::SMPP', () => {
  it('binds, submits, and matches the decimal receipt id to the hex submit_sm_resp id', async () => {
    const result = await provider.send(
      { message: outboundSms(LINE, TO, 'Bonjour {Net::SMPP} €5'), attempt: 1, service: 'SMS' },
      never,
    );
    // The Perl peer reports what it saw on its own output, which may trail the PDUs themselves.
    await smsc.until(() => smsc.binds.length === 1 && smsc.submits.length === 1);
    expect(smsc.binds).toEqual(['bind_transceiver']);
    const submit = smsc.submits[0]!;
    expect(submit).toMatchObject({ destAddr: '33612345678', dataCoding: 0, esmClass: 0 });
    expect(decodeShortMessage(submit.shortMessage, 0)).toBe('Bonjour {Net::SMPP} €5');
    expect(result).toEqual({
      kind: 'accepted',
      networkMessageIds: [String(submit.id)],
      patches: [{ status: 'SENT', service: 'SMS' }],
    });
    await events.until((e) => e.statuses.length === 1);
    expect(events.statuses[0]).toEqual({
      line: LINE,
      networkMessageId: String(submit.id),
      patch: { status: 'DELIVERED', service: 'SMS' },
    });
  });

  it('sends a long UCS-2 text as parts Net::SMPP decodes with their UDH', async () => {
    const text = 'Grüße aus Köln – 日本語のテキスト '.repeat(8);
    const result = await provider.send({ message: outboundSms(LINE, TO, text), attempt: 1, service: 'SMS' }, never);
    // Eight parts through a Perl peer: its receipts, and its reports of what it was sent, may take a
    // while on a busy machine. Waited for by the count of parts the provider had accepted.
    const accepted = result.kind === 'accepted' ? (result.networkMessageIds?.length ?? 0) : 0;
    expect(accepted).toBeGreaterThan(1);
    // Each wait on its own side: a waiter on the provider's events is checked only when an event
    // comes, and the peer's report of its last submit may come after the last receipt.
    await events.until((e) => e.statuses.length === accepted, 15_000);
    await smsc.until(() => smsc.submits.length === accepted);
    const parts = smsc.submits.map((s) => ({ esm: s.esmClass, coding: s.dataCoding, ...splitUdh(s.shortMessage) }));
    expect(parts.every((p) => p.esm === 0x40 && p.coding === 8 && p.concat?.total === parts.length)).toBe(true);
    expect(decodeShortMessage(Buffer.concat(parts.map((p) => p.body)), 8)).toBe(text);
    expect(result.kind === 'accepted' && result.networkMessageIds).toEqual(smsc.submits.map((s) => String(s.id)));
    expect(new Set(events.statuses.map((s) => s.networkMessageId))).toEqual(
      new Set(smsc.submits.map((s) => String(s.id))),
    );
  });

  it('turns an MO deliver_sm into onInbound and acknowledges with ESME_ROK', async () => {
    const status = await smsc.mo('33612345678', '15550002222', Buffer.from('Salut', 'latin1'));
    expect(status).toBe(0);
    expect(events.inbound).toEqual([{ line: LINE, from: TO, content: 'Salut', service: 'SMS' }]);
  });

  it('answers ESME_RX_T_APPN to an MO it could not commit', async () => {
    events.reject = 1;
    expect(await smsc.mo('33612345678', '15550002222', Buffer.from('later', 'latin1'))).toBe(0x64);
    expect(events.inbound).toEqual([]);
  });

  it('reassembles a UCS-2 MO in two UDH parts', async () => {
    const body = Buffer.from('Ça va? 😀 très bien', 'utf16le').swap16();
    const half = 16;
    await smsc.mo(
      '33612345678',
      '15550002222',
      Buffer.concat([Buffer.from([5, 0, 3, 9, 2, 1]), body.subarray(0, half)]),
      8,
      0x40,
    );
    expect(events.inbound).toEqual([]);
    await smsc.mo(
      '33612345678',
      '15550002222',
      Buffer.concat([Buffer.from([5, 0, 3, 9, 2, 2]), body.subarray(half)]),
      8,
      0x40,
    );
    expect(events.inbound.map((m) => m.content)).toEqual(['Ça va? 😀 très bien']);
  });

  it('reports the drop when Net::SMPP closes the connection, and binds again on connect', async () => {
    await smsc.drop();
    expect(await conn!.closed).toBeInstanceOf(Error);
    conn = await provider.connect(events, never);
    const result = await provider.send({ message: outboundSms(LINE, TO, 'back'), attempt: 2, service: 'SMS' }, never);
    expect(result.kind).toBe('accepted');
    await smsc.until(() => smsc.binds.length === 2);
    expect(smsc.binds).toEqual(['bind_transceiver', 'bind_transceiver']);
  });
});
