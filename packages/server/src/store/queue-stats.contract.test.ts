import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackendInstance, STORE_BACKENDS, twoAccounts } from '../../test/support/backends.js';
import type { Account } from '../domain/account.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Store } from './store.js';

/** QueueStatsPort: jobs by kind and state, and pending webhook deliveries, for /metrics. */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe.each(STORE_BACKENDS)('Store queue stats ($name)', (backend) => {
  let instance: BackendInstance;
  let store: Store;
  let account: Account;

  beforeEach(async () => {
    instance = await backend.create();
    store = instance.store;
    ({ a: account } = await twoAccounts(store, { a: ['+15550001000'], b: [] }));
  });
  afterEach(() => instance.dispose());

  const send = (statusCallback: string | null = null) =>
    store.acceptOutbound({
      message: { ...messageDraft(account, '+15550001000', '+19998887777', { createdAt: T0 }), statusCallback },
      queueLimit: 100,
    });

  it('is empty on an empty database', async () => {
    expect(await store.queueStats(T0)).toEqual({ jobs: [], pendingWebhookDeliveries: 0 });
  });

  it('counts due, leased and scheduled jobs, and pending webhook deliveries', async () => {
    for (let i = 0; i < 3; i++) await send('https://example.com/cb');
    // QUEUED sends no status callback: nothing is pending for webhooks yet.
    expect(await store.queueStats(T0)).toEqual({
      jobs: [{ kind: 'send', state: 'due', count: 3 }],
      pendingWebhookDeliveries: 0,
    });
    const claimed = await store.claimJobs({ now: T0, limit: 1, leaseUntil: T0 + 30_000, workerId: 'w1' });
    expect(claimed).toHaveLength(1);
    expect((await store.queueStats(T0)).jobs).toEqual([
      { kind: 'send', state: 'due', count: 2 },
      { kind: 'send', state: 'leased', count: 1 },
    ]);
    // A lease that ran out is due again: its worker is gone or late.
    expect((await store.queueStats(T0 + 30_000)).jobs).toEqual([{ kind: 'send', state: 'due', count: 3 }]);
    const { job, message } = claimed[0]!;
    await store.finishJobs(
      [
        {
          kind: 'done',
          jobId: job.id,
          attempt: job.attempts,
          messageId: message.id,
          patches: [{ status: 'SENT' }],
          schedule: [{ runAt: T0 + 60_000, patch: { status: 'DELIVERED' }, then: [] }],
        },
      ],
      T0,
    );
    expect(await store.queueStats(T0)).toEqual({
      jobs: [
        { kind: 'send', state: 'due', count: 2 },
        { kind: 'status', state: 'scheduled', count: 1 },
      ],
      pendingWebhookDeliveries: 1,
    });
  });
});
