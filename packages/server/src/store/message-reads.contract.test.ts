import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import type { StatusPatch } from '../domain/job.js';
import { type Message, toWire } from '../domain/message.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { ReceiptInput } from './ports/receipts-port.js';
import type { Store } from './store.js';

/**
 * Read receipts (a receipt with `readAt`): the first read of an outbound message is recorded as
 * its `date_read`, together with its status callback, in the receipts' transaction; a later read
 * changes nothing; a read never moves the status. Runs on every backend.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const CONTACT = '+19998887777';
const CB = 'http://127.0.0.1:9/cb';

const SENT: StatusPatch = { status: 'SENT' };
const DELIVERED: StatusPatch = { status: 'DELIVERED', service: 'iMessage' };

describe.each(STORE_BACKENDS)('Store read receipts ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a } = await twoAccounts(store, { a: [LINE], b: [] }));
  });
  afterEach(async () => {
    await instance.dispose();
  });

  async function sent(id: string): Promise<Message> {
    const r = await store.acceptOutbound({
      message: messageDraft(a, LINE, CONTACT, { createdAt: T0, statusCallback: CB }),
      queueLimit: 1_000_000,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    const claimed = await store.claimJobs({ now: T0 + 10, limit: 100, leaseUntil: T0 + 1000, workerId: 'w' });
    const job = claimed.find((c) => c.message.id === r.message.id);
    if (job === undefined) throw new Error('job not claimed');
    await store.finishJobs(
      [
        {
          kind: 'done',
          jobId: job.job.id,
          attempt: job.job.attempts,
          messageId: r.message.id,
          patches: [SENT],
          schedule: [],
          networkMessageIds: [id],
        },
      ],
      T0 + 10,
    );
    return r.message;
  }

  const read = (networkMessageId: string, readAt: number, patch: StatusPatch = DELIVERED): ReceiptInput => ({
    line: LINE,
    networkMessageId,
    patch,
    readAt,
  });
  const current = async (m: Message) => (await store.getMessage(a.id, m.handle))!;
  /** The status_sequence of each status callback queued for `m`, in order. */
  const callbacks = async (m: Message) =>
    (await store.listWebhookDeliveries(a.id, { limit: 1000, offset: 0 })).deliveries
      .filter((d) => d.kind === 'status_callback' && d.messageHandle === m.handle)
      .map((d) => d.statusSeq)
      .sort((x, y) => (x ?? 0) - (y ?? 0));

  it('records the first read as date_read with one callback, at the same status', async () => {
    const m = await sent('net-1');
    await store.applyNetworkReceipts([{ line: LINE, networkMessageId: 'net-1', patch: DELIVERED }], T0 + 20);
    expect(await current(m)).toMatchObject({ status: 'DELIVERED', statusSeq: 2, dateRead: null });

    const r = await store.applyNetworkReceipts([read('net-1', T0 + 25)], T0 + 30);
    expect(r.results).toEqual(['applied']);
    expect(r.changes.map((c) => [c.previous, c.message.status, c.message.dateRead])).toEqual([
      ['DELIVERED', 'DELIVERED', T0 + 25],
    ]);
    const after = await current(m);
    expect(after).toMatchObject({ status: 'DELIVERED', statusSeq: 3, dateRead: T0 + 25, updatedAt: T0 + 30 });
    expect(toWire(after).date_read).toBe(new Date(T0 + 25).toISOString());
    expect(await callbacks(m)).toEqual([1, 2, 3]);
  });

  it('keeps the first read: a later or repeated one changes nothing and queues nothing', async () => {
    const m = await sent('net-1');
    await store.applyNetworkReceipts([read('net-1', T0 + 25)], T0 + 30);
    const again = await store.applyNetworkReceipts([read('net-1', T0 + 25), read('net-1', T0 + 99)], T0 + 100);
    expect(again).toEqual({ changes: [], results: ['duplicate', 'duplicate'] });
    expect(await current(m)).toMatchObject({ status: 'DELIVERED', dateRead: T0 + 25, updatedAt: T0 + 30 });
    // SENT, DELIVERED (the first read's receipt delivered it), the read: nothing more.
    expect(await callbacks(m)).toEqual([1, 2, 3]);
  });

  it('applies a read and its delivery together: DELIVERED, then the read, two callbacks', async () => {
    const m = await sent('net-1');
    const r = await store.applyNetworkReceipts([read('net-1', T0 + 25)], T0 + 30);
    expect(r.results).toEqual(['applied']);
    expect(r.changes.map((c) => [c.previous, c.message.status, c.message.dateRead])).toEqual([
      ['SENT', 'DELIVERED', null],
      ['DELIVERED', 'DELIVERED', T0 + 25],
    ]);
    expect(await current(m)).toMatchObject({ status: 'DELIVERED', statusSeq: 3, dateRead: T0 + 25 });
  });

  it('never moves the status: a read of a failed message records the read, the status stays ERROR', async () => {
    const m = await sent('net-1');
    await store.applyNetworkReceipts([{ line: LINE, networkMessageId: 'net-1', patch: { status: 'ERROR' } }], T0 + 20);
    const r = await store.applyNetworkReceipts([read('net-1', T0 + 25)], T0 + 30);
    expect(r.results).toEqual(['applied']);
    expect(await current(m)).toMatchObject({ status: 'ERROR', dateRead: T0 + 25 });
  });

  it('keeps no read for an id no send recorded (only its patch, as an early receipt)', async () => {
    const r = await store.applyNetworkReceipts([read('net-unknown', T0 + 25)], T0 + 30);
    expect(r).toEqual({ changes: [], results: ['early'] });
  });

  it('a status change after the read leaves date_read alone', async () => {
    const m = await sent('net-1');
    await store.applyNetworkReceipts([read('net-1', T0 + 25, SENT)], T0 + 30);
    expect(await current(m)).toMatchObject({ status: 'SENT', dateRead: T0 + 25 });
    await store.applyNetworkReceipts([{ line: LINE, networkMessageId: 'net-1', patch: DELIVERED }], T0 + 40);
    expect(await current(m)).toMatchObject({ status: 'DELIVERED', dateRead: T0 + 25 });
  });
});
