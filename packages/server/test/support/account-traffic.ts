import type { Account } from '../../src/domain/account.js';
import type { Message } from '../../src/domain/message.js';
import type { Store } from '../../src/store/store.js';
import { messageDraft } from './message-draft.js';

/** When the traffic happens, to whom, and where its status callbacks go. */
export interface TrafficOptions {
  t0: number;
  contact: string;
  statusCallback: string;
}

/** An outbound message from `line`, accepted (under `key` when given) with its delivery job. */
export async function acceptedMessage(
  store: Store,
  account: Account,
  line: string,
  o: TrafficOptions,
  key?: string,
): Promise<Message> {
  const r = await store.acceptOutbound({
    message: messageDraft(account, line, o.contact, { createdAt: o.t0, statusCallback: o.statusCallback }),
    queueLimit: 1000,
    ...(key === undefined ? {} : { idempotency: { key, requestHash: 'h', responseBody: '{}' } }),
  });
  if (r.kind !== 'accepted') throw new Error(r.kind);
  return r.message;
}

/**
 * An account's everyday data, written through the ports: a SENT message with its logged callback
 * attempt, a QUEUED one, an opted-out contact, a group and a media object. Returns the SENT one.
 */
export async function accountTraffic(
  store: Store,
  account: Account,
  line: string,
  o: TrafficOptions,
): Promise<Message> {
  const { t0 } = o;
  const sent = await acceptedMessage(store, account, line, o, `key-${account.id}`);
  const [claim] = (await store.claimJobs({ now: t0 + 1, limit: 10, leaseUntil: t0 + 1000, workerId: 'w' })).filter(
    (c) => c.message.id === sent.id,
  );
  await store.finishJobs(
    [
      {
        kind: 'done',
        jobId: claim!.job.id,
        attempt: claim!.job.attempts,
        messageId: sent.id,
        patches: [{ status: 'SENT' }],
        schedule: [],
      },
    ],
    t0 + 2,
  );
  await acceptedMessage(store, account, line, o);
  const deliveries = await store.claimWebhookDeliveries({
    now: t0 + 3,
    leaseUntil: t0 + 30_000,
    workerId: 'd',
    limit: 100,
    perDestination: 100,
    perAccount: 100,
    inFlight: { byDestination: new Map(), byAccount: new Map() },
  });
  for (const d of deliveries.filter((c) => c.delivery.accountId === account.id)) {
    await store.recordWebhookAttempt({
      deliveryId: d.delivery.id,
      attempt: { startedAt: t0 + 3, durationMs: 1, httpStatus: 200, error: null },
      outcome: { kind: 'succeeded' },
      now: t0 + 4,
    });
  }
  await store.setContactOptOut({ accountId: account.id, number: o.contact, optedOut: true, now: t0 });
  await store.findOrCreateGroup({
    accountId: account.id,
    line,
    members: [o.contact, '+19998887778'],
    groupId: `group-${account.id}`,
    now: t0,
  });
  await store.saveMedia({
    id: `${account.id}`.padStart(32, '0'),
    accountId: account.id,
    filename: 'a.png',
    contentType: 'image/png',
    size: 1,
    sourceUrl: null,
    bytes: Buffer.from([1]),
    createdAt: t0,
  });
  return sent;
}
