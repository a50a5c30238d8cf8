import type { AccountResetCounts, AccountResetResult } from '../ports/account-reset-port.js';
import { deleteAccountJobs } from './account-jobs-queries.js';
import { type Plan, type QB, all, run } from './query-plan.js';

/**
 * `POST /sandbox/reset` for both backends (account-reset-port.ts). Run in one transaction. The
 * deletes go children first, as the foreign keys require (jobs and network segments before their
 * messages, attempts before their deliveries); network segments go with their messages
 * (ON DELETE CASCADE).
 */
export function* resetAccountData(q: QB, accountId: number): Plan<AccountResetResult> {
  const lines = yield* all(
    q.selectFrom('lines').select(['number', 'provider']).where('account_id', '=', accountId).orderBy('number'),
  );
  const real = lines.find((l) => l.provider !== 'sandbox');
  if (real !== undefined) return { kind: 'refused', line: { number: real.number, provider: real.provider } };

  const removed: AccountResetCounts = {
    messages: 0,
    contacts: 0,
    groups: 0,
    jobs: yield* deleteAccountJobs(q, accountId),
    webhookDeliveries: 0,
    webhookAttempts: 0,
    idempotencyKeys: 0,
    media: 0,
    verifications: 0,
    locationShares: 0,
  };
  removed.messages = yield* run(q.deleteFrom('messages').where('account_id', '=', accountId));
  // The counters of GET /api/v2/messages: nothing of the account is left to count.
  yield* run(q.deleteFrom('message_counts').where('account_id', '=', accountId));

  // Locking the deliveries first (a no-op update) waits for an attempt being recorded on one of
  // them and keeps any other from starting, so no attempt row appears between the two deletes.
  yield* run(
    q
      .updateTable('webhook_deliveries')
      .set((eb) => ({ updated_at: eb.ref('updated_at') }))
      .where('account_id', '=', accountId),
  );
  removed.webhookAttempts = yield* run(
    q
      .deleteFrom('webhook_attempts')
      .where('delivery_id', 'in', q.selectFrom('webhook_deliveries').select('id').where('account_id', '=', accountId)),
  );
  removed.webhookDeliveries = yield* run(q.deleteFrom('webhook_deliveries').where('account_id', '=', accountId));

  removed.groups = yield* run(q.deleteFrom('chat_groups').where('account_id', '=', accountId));
  removed.contacts = yield* run(q.deleteFrom('contacts').where('account_id', '=', accountId));
  removed.idempotencyKeys = yield* run(q.deleteFrom('idempotency_keys').where('account_id', '=', accountId));
  removed.media = yield* run(q.deleteFrom('media_objects').where('account_id', '=', accountId));
  removed.verifications = yield* run(q.deleteFrom('verify_verifications').where('account_id', '=', accountId));
  removed.locationShares = yield* run(q.deleteFrom('location_shares').where('account_id', '=', accountId));
  // Receipts a network reported ahead of its answer are kept per line; a sandbox line has none,
  // unless it carried real traffic earlier.
  yield* run(
    q
      .deleteFrom('early_receipts')
      .where('line', 'in', q.selectFrom('lines').select('number').where('account_id', '=', accountId)),
  );
  return { kind: 'reset', removed };
}
