import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import type { StatusPatch } from '../domain/job.js';
import type { Message } from '../domain/message.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Store } from './store.js';

/**
 * A message's status history, recorded by the database on every status change whatever wrote it:
 * the first status as stored, then each change with the time the row carries and its error fields.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const ALICE = '+19998887777';

describe.each(STORE_BACKENDS)('Store message timeline ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;
  let b: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a, b } = await twoAccounts(store, { a: [LINE], b: [] }));
  });
  afterEach(async () => {
    await instance.dispose();
  });

  async function accepted(): Promise<Message> {
    const r = await store.acceptOutbound({ message: messageDraft(a, LINE, ALICE, { createdAt: T0 }), queueLimit: 100 });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    return r.message;
  }

  async function finish(message: Message, at: number, patches: StatusPatch[], schedule = false): Promise<void> {
    const [claim] = await store.claimJobs({ now: at, limit: 10, leaseUntil: at + 1000, workerId: 'w' });
    if (claim?.message.id !== message.id) throw new Error('job not claimed');
    await store.finishJobs(
      [
        {
          kind: 'done',
          jobId: claim.job.id,
          attempt: claim.job.attempts,
          messageId: message.id,
          patches,
          schedule: schedule ? [{ runAt: at + 10, patch: null, then: [] }] : [],
        },
      ],
      at,
    );
  }

  it('records QUEUED, SENT and DELIVERED with their times', async () => {
    const m = await accepted();
    await finish(m, T0 + 100, [{ status: 'SENT' }], true);
    await finish(m, T0 + 200, [{ status: 'DELIVERED', service: 'iMessage' }]);
    const timeline = await store.messageTimeline(a.id, m.handle);
    expect(timeline?.message.status).toBe('DELIVERED');
    expect(timeline?.statuses).toEqual([
      { status: 'QUEUED', at: T0, errorCode: null, errorMessage: null },
      { status: 'SENT', at: T0 + 100, errorCode: null, errorMessage: null },
      { status: 'DELIVERED', at: T0 + 200, errorCode: null, errorMessage: null },
    ]);
  });

  it('records an error with its fields', async () => {
    const m = await accepted();
    await finish(m, T0 + 50, [{ status: 'ERROR', errorCode: 5000, errorMessage: 'network refused' }]);
    expect((await store.messageTimeline(a.id, m.handle))?.statuses).toEqual([
      { status: 'QUEUED', at: T0, errorCode: null, errorMessage: null },
      { status: 'ERROR', at: T0 + 50, errorCode: 5000, errorMessage: 'network refused' },
    ]);
  });

  it('is the account’s own, and goes with the message', async () => {
    const m = await accepted();
    expect(await store.messageTimeline(b.id, m.handle)).toBeUndefined();
    expect(await store.messageTimeline(a.id, 'no-such-handle')).toBeUndefined();
    expect((await store.resetAccountData(a.id)).kind).toBe('reset');
    expect(await store.messageTimeline(a.id, m.handle)).toBeUndefined();
    // A new message on a reused row id starts its own history.
    const again = await accepted();
    expect((await store.messageTimeline(a.id, again.handle))?.statuses.map((s) => s.status)).toEqual(['QUEUED']);
  });
});
