import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import type { StatusPatch } from '../domain/job.js';
import type { Message } from '../domain/message.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Store } from './store.js';

/**
 * Status never moves backward, nor repeats, as the store applies it: a refused patch changes
 * neither the message nor its `status_sequence`, and queues no webhook. Runs on every backend.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const CONTACT = '+19998887777';
const CB = 'http://127.0.0.1:9/cb';
const OUT = 'http://127.0.0.1:9/outbound';

describe.each(STORE_BACKENDS)('Store status order ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a } = await twoAccounts(store, { a: [LINE], b: [] }));
    await store.updateWebhookConfig(
      a.id,
      { mode: 'append', endpoints: [{ type: 'outbound', url: OUT, secret: null, sendblueNumbers: null }] },
      T0,
    );
  });
  afterEach(async () => {
    await instance.dispose();
  });

  async function accepted(): Promise<Message> {
    const r = await store.acceptOutbound({
      message: messageDraft(a, LINE, CONTACT, { createdAt: T0, statusCallback: CB }),
      queueLimit: 1000,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    return r.message;
  }

  /** Finishes the message's send job with `patches`. */
  async function send(m: Message, patches: StatusPatch[]) {
    const claimed = await store.claimJobs({ now: T0 + 10, limit: 100, leaseUntil: T0 + 1000, workerId: 'w' });
    const job = claimed.find((c) => c.message.id === m.id);
    if (job === undefined) throw new Error('job not claimed');
    return store.finishJobs([{ kind: 'done', jobId: job.job.id, messageId: m.id, patches, schedule: [] }], T0 + 10);
  }

  /** A provider receipt arriving later, outside any job of ours. */
  const receipt = (m: Message, patch: StatusPatch) =>
    store.finishJobs([{ kind: 'done', jobId: -1, messageId: m.id, patches: [patch], schedule: [] }], T0 + 20);

  /** [kind, status_sequence] of every delivery queued for the account, in order. */
  const queued = async () =>
    (await store.listWebhookDeliveries(a.id, { limit: 100, offset: 0 })).deliveries
      .map((d) => [d.kind, d.statusSeq] as const)
      .sort((x, y) => (x[1] ?? 0) - (y[1] ?? 0) || x[0].localeCompare(y[0]));

  it.each(['ERROR', 'DECLINED'] as const)('keeps a DELIVERED message DELIVERED when %s arrives late', async (late) => {
    const m = await accepted();
    await send(m, [{ status: 'SENT' }, { status: 'DELIVERED' }]);
    expect(await receipt(m, { status: late, errorCode: 10001, errorMessage: 'late failure' })).toEqual([]);
    expect(await store.getMessage(a.id, m.handle)).toMatchObject({
      status: 'DELIVERED',
      statusSeq: 2,
      errorCode: null,
      errorMessage: null,
      updatedAt: T0 + 10,
    });
    expect(await queued()).toEqual([
      ['outbound', 1],
      ['status_callback', 1],
      ['outbound', 2],
      ['status_callback', 2],
    ]);
  });

  it('applies a repeated SENT once: one status_sequence, one webhook per destination', async () => {
    const m = await accepted();
    const first = await send(m, [{ status: 'SENT' }, { status: 'SENT' }]);
    expect(first.map((c) => [c.previous, c.message.status, c.message.statusSeq])).toEqual([['QUEUED', 'SENT', 1]]);
    expect(await receipt(m, { status: 'SENT', service: 'SMS' })).toEqual([]);
    expect(await store.getMessage(a.id, m.handle)).toMatchObject({ status: 'SENT', statusSeq: 1, updatedAt: T0 + 10 });
    expect(await queued()).toEqual([
      ['outbound', 1],
      ['status_callback', 1],
    ]);
  });
});
