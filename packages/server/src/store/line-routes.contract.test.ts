import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../domain/account.js';
import type { JobOutcome } from '../domain/job.js';
import type { Message } from '../domain/message.js';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Store } from './store.js';

/**
 * Routing's storage: a line's SMS fallback line and window, the fallback line's network ids
 * recorded under that line, and a downgrade that drops what the abandoned attempt left behind.
 */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const SMS_LINE = '+15550001001';
const CONTACT = '+19998887777';

describe.each(STORE_BACKENDS)('Store line routes ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let a: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a } = await twoAccounts(store, { a: [LINE, SMS_LINE], b: [] }));
  });
  afterEach(() => instance.dispose());

  it('sets, shows and clears a line’s fallback line and window', async () => {
    expect(await store.findLine(LINE)).toMatchObject({ fallbackLine: null, fallbackAfterMs: null });
    const set = await store.setLineRoute({ number: LINE, fallbackLine: SMS_LINE, fallbackAfterMs: 5000, now: T0 });
    expect(set).toMatchObject({ number: LINE, fallbackLine: SMS_LINE, fallbackAfterMs: 5000 });
    expect(await store.findLine(LINE)).toMatchObject({ fallbackLine: SMS_LINE, fallbackAfterMs: 5000 });
    expect((await store.listLines(a.id)).find((l) => l.number === LINE)).toMatchObject({ fallbackLine: SMS_LINE });
    expect((await store.listLineConfigs()).find((l) => l.number === LINE)).toMatchObject({
      fallbackLine: SMS_LINE,
      fallbackAfterMs: 5000,
      updatedAt: T0,
    });
    await store.setLineRoute({ number: LINE, fallbackLine: null, fallbackAfterMs: null, now: T0 + 1 });
    expect(await store.findLine(LINE)).toMatchObject({ fallbackLine: null, fallbackAfterMs: null });
    expect(
      await store.setLineRoute({ number: '+15559999999', fallbackLine: null, fallbackAfterMs: null, now: T0 }),
    ).toBeUndefined();
  });

  async function claimedSend(): Promise<{ message: Message; jobId: number; attempt: number }> {
    const r = await store.acceptOutbound({
      message: messageDraft(a, LINE, CONTACT, { createdAt: T0 }),
      queueLimit: 100,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    const claimed = await store.claimJobs({ now: T0 + 10, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
    const job = claimed.find((c) => c.message.id === r.message.id)!;
    return { message: r.message, jobId: job.job.id, attempt: job.job.attempts };
  }

  const claimStatus = async (now: number) => {
    const claimed = await store.claimJobs({ now, limit: 10, leaseUntil: now + 1000, workerId: 'w' });
    return claimed.filter((c) => c.job.kind === 'status');
  };

  it('records a fallback line’s ids under that line, so its receipts find the message', async () => {
    const { message, jobId, attempt } = await claimedSend();
    const outcome: JobOutcome = {
      kind: 'done',
      jobId,
      attempt,
      messageId: message.id,
      patches: [{ status: 'SENT', service: 'SMS' }],
      schedule: [],
      networkMessageIds: ['smsc-1'],
      networkLine: SMS_LINE,
    };
    await store.finishJobs([outcome], T0 + 10);
    expect(
      await store.applyNetworkReceipts(
        [{ line: LINE, networkMessageId: 'smsc-1', patch: { status: 'DELIVERED' } }],
        T0 + 20,
      ),
    ).toMatchObject({ results: ['early'] });
    expect(
      await store.applyNetworkReceipts(
        [{ line: SMS_LINE, networkMessageId: 'smsc-1', patch: { status: 'DELIVERED' } }],
        T0 + 20,
      ),
    ).toMatchObject({ results: ['applied'] });
    expect(await store.getMessage(a.id, message.handle)).toMatchObject({ status: 'DELIVERED', service: 'SMS' });
  });

  it('downgrades once, as a change of its own, dropping the abandoned attempt’s ids and pending jobs', async () => {
    const { message, jobId, attempt } = await claimedSend();
    // The iMessage attempt: SENT under an id, with a DELIVERED the network will never confirm.
    await store.finishJobs(
      [
        {
          kind: 'done',
          jobId,
          attempt,
          messageId: message.id,
          patches: [{ status: 'SENT' }],
          schedule: [
            { runAt: T0 + 5000, patch: null, then: [], route: { step: 'window', networkMessageIds: ['im-1'] } },
            { runAt: T0 + 9000, patch: { status: 'DELIVERED' }, then: [] },
          ],
          networkMessageIds: ['im-1'],
        },
      ],
      T0 + 10,
    );
    const [window] = await claimStatus(T0 + 5000);
    expect(window?.job.route).toEqual({ step: 'window', networkMessageIds: ['im-1'] });
    const changes = await store.finishJobs(
      [
        {
          kind: 'done',
          jobId: window!.job.id,
          attempt: window!.job.attempts,
          messageId: message.id,
          patches: [],
          schedule: [{ runAt: T0 + 5000, patch: null, then: [], route: { step: 'resend' } }],
          downgrade: true,
        },
      ],
      T0 + 5000,
    );
    expect(changes.map((c) => [c.previous, c.message.status, c.message.service, c.message.wasDowngraded])).toEqual([
      ['SENT', 'SENT', 'SMS', true],
    ]);
    // The pending DELIVERED is gone; only the resend is left.
    const left = await claimStatus(T0 + 60_000);
    expect(left.map((c) => c.job.route)).toEqual([{ step: 'resend' }]);
    // A late receipt for the abandoned attempt's id no longer names the message.
    expect(
      await store.applyNetworkReceipts(
        [{ line: LINE, networkMessageId: 'im-1', patch: { status: 'DELIVERED' } }],
        T0 + 6000,
      ),
    ).toMatchObject({ results: ['early'] });
    expect(await store.getMessage(a.id, message.handle)).toMatchObject({
      status: 'SENT',
      service: 'SMS',
      statusSeq: 2,
    });
    // A second downgrade of the same message records nothing, not even its jobs.
    const again = await store.finishJobs(
      [
        {
          kind: 'done',
          jobId: left[0]!.job.id,
          attempt: left[0]!.job.attempts,
          messageId: message.id,
          patches: [],
          schedule: [{ runAt: T0, patch: null, then: [], route: { step: 'resend' } }],
          downgrade: true,
        },
      ],
      T0 + 6000,
    );
    expect(again).toEqual([]);
    expect(await store.countJobs()).toBe(0);
  });
});
