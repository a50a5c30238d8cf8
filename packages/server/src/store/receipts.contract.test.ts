import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import type { StatusPatch } from '../domain/job.js';
import type { Message, NewMessage } from '../domain/message.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { ReceiptInput } from './ports/receipts-port.js';
import type { Store } from './store.js';

/**
 * A real network's receipts and inbound messages, by the network's own ids: recorded with the
 * send's outcome, applied idempotently and never backwards, folded over a long SMS's segments,
 * kept when they overtake the outcome, and dropped once too old. Runs on every backend.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const LINE_2 = '+15550001001';
const CONTACT = '+19998887777';
const CB = 'http://127.0.0.1:9/cb';
const RECEIVE = 'http://127.0.0.1:9/receive';

const SENT: StatusPatch = { status: 'SENT' };
const DELIVERED: StatusPatch = { status: 'DELIVERED', service: 'SMS' };
const FAILED: StatusPatch = { status: 'ERROR', errorCode: 5003, errorMessage: 'undeliverable', errorDetail: 'UNDELIV' };

describe.each(STORE_BACKENDS)('Store network receipts ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a } = await twoAccounts(store, { a: [LINE, LINE_2], b: [] }));
  });
  afterEach(async () => {
    await instance.dispose();
  });

  async function accepted(line = LINE): Promise<Message> {
    const r = await store.acceptOutbound({
      message: messageDraft(a, line, CONTACT, { createdAt: T0, statusCallback: CB }),
      queueLimit: 1_000_000,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    return r.message;
  }

  /** Finishes the message's send job as a network that accepted it under `ids`. */
  async function send(m: Message, ids: readonly string[], patches: StatusPatch[] = [SENT]) {
    const claimed = await store.claimJobs({ now: T0 + 10, limit: 100, leaseUntil: T0 + 1000, workerId: 'w' });
    const job = claimed.find((c) => c.message.id === m.id);
    if (job === undefined) throw new Error('job not claimed');
    return store.finishJobs(
      [
        {
          kind: 'done',
          jobId: job.job.id,
          attempt: job.job.attempts,
          messageId: m.id,
          patches,
          schedule: [],
          networkMessageIds: ids,
        },
      ],
      T0 + 10,
    );
  }

  const receipt = (networkMessageId: string, patch: StatusPatch, line = LINE): ReceiptInput => ({
    line,
    networkMessageId,
    patch,
  });
  const apply = (receipts: ReceiptInput[], now = T0 + 20) => store.applyNetworkReceipts(receipts, now);
  const current = async (m: Message) => (await store.getMessage(a.id, m.handle))!;
  /** The status_sequence of each status callback queued for `m`, in order. */
  const callbacks = async (m: Message) =>
    (await store.listWebhookDeliveries(a.id, { limit: 1000, offset: 0 })).deliveries
      .filter((d) => d.kind === 'status_callback' && d.messageHandle === m.handle)
      .map((d) => d.statusSeq)
      .sort((x, y) => (x ?? 0) - (y ?? 0));

  it('records the first id as the provider message id and applies a later receipt with one callback', async () => {
    const m = await accepted();
    await send(m, ['net-1']);
    expect(await current(m)).toMatchObject({ status: 'SENT', statusSeq: 1, providerMessageId: 'net-1' });
    const r = await apply([receipt('net-1', DELIVERED)]);
    expect(r.results).toEqual(['applied']);
    expect(r.changes.map((c) => [c.previous, c.message.status])).toEqual([['SENT', 'DELIVERED']]);
    expect(await current(m)).toMatchObject({ status: 'DELIVERED', statusSeq: 2, service: 'SMS' });
    expect(await callbacks(m)).toEqual([1, 2]);
  });

  it('changes nothing for a duplicate receipt, and queues no second callback', async () => {
    const m = await accepted();
    await send(m, ['net-1']);
    await apply([receipt('net-1', DELIVERED)]);
    const again = await apply([receipt('net-1', DELIVERED)]);
    expect(again).toEqual({ changes: [], results: ['duplicate'] });
    expect(await current(m)).toMatchObject({ status: 'DELIVERED', statusSeq: 2 });
    expect(await callbacks(m)).toEqual([1, 2]);
  });

  it('never moves a status backwards: SENT after DELIVERED is stale', async () => {
    const m = await accepted();
    await send(m, ['net-1'], []);
    const r = await apply([receipt('net-1', DELIVERED), receipt('net-1', SENT), receipt('net-1', FAILED)]);
    expect(r.results).toEqual(['applied', 'stale', 'stale']);
    expect(await current(m)).toMatchObject({ status: 'DELIVERED', statusSeq: 1, errorCode: null });
    expect(await callbacks(m)).toEqual([1]);
  });

  it('keeps a receipt that overtakes the outcome and applies it, in arrival order, inside finishJobs', async () => {
    const m = await accepted();
    const early = await apply([receipt('net-1', DELIVERED), receipt('net-1', SENT)]);
    expect(early).toEqual({ changes: [], results: ['early', 'early'] });
    expect(await current(m)).toMatchObject({ status: 'QUEUED', statusSeq: 0 });
    const changes = await send(m, ['net-1'], []);
    expect(changes.map((c) => [c.previous, c.message.status])).toEqual([['QUEUED', 'DELIVERED']]);
    expect(await current(m)).toMatchObject({ status: 'DELIVERED', statusSeq: 1, service: 'SMS' });
    expect(await callbacks(m)).toEqual([1]);
    // Claimed by the outcome: nothing left to expire, and the id is now known.
    expect(await store.expireEarlyReceipts(T0 + 1_000_000)).toEqual([]);
    expect((await apply([receipt('net-1', DELIVERED)])).results).toEqual(['duplicate']);
  });

  it('applies early receipts after the outcome patches, so a SENT outcome then DELIVERED never regresses', async () => {
    const m = await accepted();
    await apply([receipt('net-1', SENT), receipt('net-1', DELIVERED)]);
    const changes = await send(m, ['net-1'], [SENT]);
    expect(changes.map((c) => c.message.status)).toEqual(['SENT', 'DELIVERED']);
    expect(await current(m)).toMatchObject({ status: 'DELIVERED', statusSeq: 2 });
    expect(await callbacks(m)).toEqual([1, 2]);
  });

  it('delivers a message in three segments only once the third segment is delivered', async () => {
    const m = await accepted();
    await send(m, ['seg-1', 'seg-2', 'seg-3']);
    expect(await current(m)).toMatchObject({ providerMessageId: 'seg-1' });
    expect((await apply([receipt('seg-2', DELIVERED)])).changes).toEqual([]);
    expect((await apply([receipt('seg-1', DELIVERED), receipt('seg-1', DELIVERED)])).results).toEqual([
      'applied',
      'duplicate',
    ]);
    expect(await current(m)).toMatchObject({ status: 'SENT', statusSeq: 1 });
    const last = await apply([receipt('seg-3', DELIVERED)]);
    expect(last.changes.map((c) => c.message.status)).toEqual(['DELIVERED']);
    expect(await current(m)).toMatchObject({ status: 'DELIVERED', statusSeq: 2 });
    expect(await callbacks(m)).toEqual([1, 2]);
  });

  it('fails the whole message as soon as one segment fails, with that segment’s error', async () => {
    const m = await accepted();
    await send(m, ['seg-1', 'seg-2', 'seg-3']);
    await apply([receipt('seg-1', DELIVERED)]);
    const r = await apply([receipt('seg-2', FAILED), receipt('seg-3', DELIVERED)]);
    expect(r.results).toEqual(['applied', 'applied']);
    expect(r.changes.map((c) => c.message.status)).toEqual(['ERROR']);
    expect(await current(m)).toMatchObject({
      status: 'ERROR',
      statusSeq: 2,
      errorCode: 5003,
      errorMessage: 'undeliverable',
      errorDetail: 'UNDELIV',
    });
    expect(await callbacks(m)).toEqual([1, 2]);
  });

  it('keys ids by line: the same id on another line is a different message', async () => {
    const m = await accepted(LINE);
    await send(m, ['net-1']);
    expect((await apply([receipt('net-1', DELIVERED, LINE_2)])).results).toEqual(['early']);
    expect(await current(m)).toMatchObject({ status: 'SENT' });
    expect(await store.expireEarlyReceipts(T0 + 21)).toEqual([
      { line: LINE_2, networkMessageId: 'net-1', receivedAt: T0 + 20 },
    ]);
  });

  it('drops an early receipt no outcome claimed once older than the bound, reporting it once', async () => {
    const r = await apply([receipt('unknown', DELIVERED)], T0);
    expect(r.results).toEqual(['early']);
    expect(await store.expireEarlyReceipts(T0)).toEqual([]);
    expect(await store.expireEarlyReceipts(T0 + 1)).toEqual([
      { line: LINE, networkMessageId: 'unknown', receivedAt: T0 },
    ]);
    expect(await store.expireEarlyReceipts(T0 + 1)).toEqual([]);
    // Dropped: an outcome recording the id later finds nothing to apply.
    const m = await accepted();
    await send(m, ['unknown']);
    expect(await current(m)).toMatchObject({ status: 'SENT' });
  });

  it('stores a network inbound redelivered under the same id once, with one receive webhook', async () => {
    await store.updateWebhookConfig(
      a.id,
      { mode: 'append', endpoints: [{ type: 'receive', url: RECEIVE, secret: null, sendblueNumbers: null }] },
      T0,
    );
    const inbound = (): NewMessage => ({
      ...messageDraft(a, LINE, CONTACT, { createdAt: T0 }),
      isOutbound: false,
      status: 'RECEIVED',
      content: 'hi',
      fromNumber: CONTACT,
      toNumber: LINE,
    });
    const first = await store.acceptInbound({ message: inbound(), keyword: null, providerMessageId: 'mo-1' });
    const again = await store.acceptInbound({ message: inbound(), keyword: null, providerMessageId: 'mo-1' });
    expect(first).toMatchObject({ duplicate: false, message: { providerMessageId: 'mo-1' } });
    expect(again).toEqual({ message: first.message, reply: null, duplicate: true });
    expect(await store.getMessage(a.id, first.message.handle)).toMatchObject({ providerMessageId: 'mo-1' });
    const receives = (await store.listWebhookDeliveries(a.id, { limit: 100, offset: 0 })).deliveries.filter(
      (d) => d.kind === 'receive',
    );
    expect(receives.map((d) => d.messageHandle)).toEqual([first.message.handle]);
    const list = await store.listMessages(a.id, { limit: 10, offset: 0, orderBy: 'createdAt', orderDirection: 'desc' });
    expect(list.total).toBe(1);
  });

  it('stores an inbound whose network id an outbound message holds, which gives the id up', async () => {
    const sent = await accepted();
    await send(sent, ['shared-1']);
    const r = await store.acceptInbound({
      message: {
        ...messageDraft(a, LINE, CONTACT, { createdAt: T0 }),
        isOutbound: false,
        status: 'RECEIVED',
        fromNumber: CONTACT,
        toNumber: LINE,
      },
      keyword: null,
      providerMessageId: 'shared-1',
    });
    expect(r).toMatchObject({ duplicate: false, message: { providerMessageId: 'shared-1' } });
    expect(await current(sent)).toMatchObject({ providerMessageId: null });
    // Its receipts still find it: they go by the network's segments, not by this column.
    expect((await apply([receipt('shared-1', DELIVERED)])).results).toEqual(['applied']);
    expect(await current(sent)).toMatchObject({ status: 'DELIVERED' });
  });

  it('loses no receipt that races the outcome recording its id', async () => {
    const messages = await Promise.all(Array.from({ length: 24 }, () => accepted()));
    const claimed = await store.claimJobs({ now: T0 + 10, limit: 100, leaseUntil: T0 + 1000, workerId: 'w' });
    const settled = await Promise.all(
      messages.flatMap((m, i) => {
        const job = claimed.find((c) => c.message.id === m.id)!.job;
        const outcome = { kind: 'done' as const, jobId: job.id, attempt: job.attempts, messageId: m.id, schedule: [] };
        return [
          store.finishJobs([{ ...outcome, patches: [SENT], networkMessageIds: [`race-${i}`] }], T0 + 10),
          apply([receipt(`race-${i}`, DELIVERED)]),
        ];
      }),
    );
    // Each call gets its own receipt's result back, however the calls were batched.
    const results = settled.flatMap((r) => ('results' in r ? r.results : []));
    expect(results).toHaveLength(messages.length);
    expect(results.every((r) => r === 'applied' || r === 'early')).toBe(true);
    for (const m of messages) expect((await current(m)).status).toBe('DELIVERED');
    expect(await store.expireEarlyReceipts(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('ends where applying the outcome and then the receipts in order ends, whatever overtakes what', async () => {
    const statuses = fc.constantFrom(SENT, DELIVERED, FAILED);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }).chain((segments) =>
          fc.record({
            segments: fc.constant(segments),
            receipts: fc.array(fc.tuple(fc.integer({ min: 0, max: segments - 1 }), statuses), { maxLength: 7 }),
            patches: fc.constantFrom<StatusPatch[]>([], [SENT]),
            outcomeAt: fc.nat(),
            batch: fc.integer({ min: 1, max: 3 }),
          }),
        ),
        async ({ segments, receipts, patches, outcomeAt, batch }) => {
          run += 1;
          const ids = (tag: string) => Array.from({ length: segments }, (_, i) => `${tag}${run}-${i}`);
          const of = (tag: string) => receipts.map(([seg, patch]) => receipt(ids(tag)[seg]!, patch));
          // In order: the outcome, then every receipt, one at a time.
          const reference = await accepted();
          await send(reference, ids('r'), patches);
          for (const r of of('r')) await apply([r]);
          // As they happen to arrive: some before the outcome, in batches.
          const subject = await accepted();
          const arriving = of('s');
          const cut = outcomeAt % (arriving.length + 1);
          for (let i = 0; i < cut; i += batch) await apply(arriving.slice(i, Math.min(i + batch, cut)));
          await send(subject, ids('s'), patches);
          for (let i = cut; i < arriving.length; i += batch) await apply(arriving.slice(i, i + batch));
          const [want, got] = [await current(reference), await current(subject)];
          expect([got.status, got.statusSeq, got.errorCode]).toEqual([want.status, want.statusSeq, want.errorCode]);
          expect((await callbacks(subject)).length).toBe((await callbacks(reference)).length);
        },
      ),
      { numRuns: 30 },
    );
  }, 90_000);
});
