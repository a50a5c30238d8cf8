import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { NetworkReceipt, ProviderConnection, ProviderEvents, SendResult } from '../provider.js';
import { ScriptedSmsc } from '../../../../test/support/scripted-smsc.js';
import { RecordingProviderEvents, outboundSms } from '../../../../test/support/recording-provider-events.js';
import { eventually } from '../../../../test/support/webhook-receiver.js';
import { smppProviderFactory } from './smpp-settings.js';
import type { SmppProvider } from './smpp-provider.js';

/**
 * A delivery receipt is acknowledged (deliver_sm_resp) only once it is committed, so one that was
 * in flight when Tapback died is still the SMSC's to send: it comes again at the next bind and is
 * applied then. These tests hold the commit open where a crash would interrupt it.
 */
const LINE = '+15550001111';
const TO = '+447700900123';
const deps = { now: () => Date.now(), logger: pino({ level: 'silent' }) };
const never = new AbortController().signal;

/** Events whose receipts stay uncommitted until `commit()` (or forever, as in a process that died). */
class HeldReceipts implements ProviderEvents {
  readonly received: NetworkReceipt[] = [];
  private release: (() => void)[] = [];

  onStatus(receipt: NetworkReceipt): Promise<void> {
    this.received.push(receipt);
    return new Promise((resolve) => this.release.push(resolve));
  }

  async onInbound(): Promise<void> {}

  commit(): void {
    for (const r of this.release.splice(0)) r();
  }
}

let smsc: ScriptedSmsc;
let open: ProviderConnection[] = [];

beforeEach(async () => {
  smsc = await ScriptedSmsc.start();
});
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
  await smsc.stop();
});

async function connected(events: ProviderEvents, query = 'rate=0'): Promise<SmppProvider> {
  const provider = smppProviderFactory.create(
    smppProviderFactory.parse({ url: smsc.url(query) }),
    deps,
  ) as SmppProvider;
  open.push(await provider.connect(events, never));
  return provider;
}

function send(provider: SmppProvider, content: string): Promise<SendResult> {
  return provider.send({ message: outboundSms(LINE, TO, content), attempt: 1, service: 'SMS' }, never);
}

describe('SMPP receipts across a lost connection', () => {
  it('answers a receipt only once it is committed', async () => {
    const events = new HeldReceipts();
    const provider = await connected(events);
    expect((await send(provider, 'first')).kind).toBe('accepted');
    await eventually(() => (events.received.length === 1 ? true : undefined), 5000);
    // A submit_sm written after the receipt reached Tapback: an early deliver_sm_resp would be ahead of it.
    smsc.holdReceipts = true;
    expect((await send(provider, 'second')).kind).toBe('accepted');
    expect(smsc.pendingReceipts).toBe(2);
    events.commit();
    await eventually(() => (smsc.pendingReceipts === 1 ? true : undefined), 5000);
  });

  it.each(['transceiver', 'transmitter_receiver'])(
    'gets a receipt that was uncommitted when the connection died again at the next bind (%s)',
    async (bind) => {
      const dying = new HeldReceipts();
      const first = await connected(dying, `rate=0&bind=${bind}`);
      const sent = await send(first, 'in flight at the crash');
      expect(sent.kind).toBe('accepted');
      await eventually(() => (dying.received.length === 1 ? true : undefined), 5000);
      smsc.dropConnections();

      const events = new RecordingProviderEvents();
      await connected(events, `rate=0&bind=${bind}`);
      await events.until((e) => e.statuses.length === 1);
      expect(events.statuses[0]).toEqual({ ...dying.received[0], patch: { status: 'DELIVERED', service: 'SMS' } });
      expect(sent.kind === 'accepted' && sent.networkMessageIds).toEqual([events.statuses[0]!.networkMessageId]);
      expect(smsc.redelivered).toBe(1);
      await eventually(() => (smsc.pendingReceipts === 0 ? true : undefined), 5000);
      expect(smsc.submits).toHaveLength(1);
    },
  );
});
