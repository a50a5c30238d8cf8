import type { AccountDeletionCounts, AccountDeletionResult } from '../ports/account-deletion-port.js';
import { deleteAccountJobs } from './account-jobs-queries.js';
import { type Plan, type QB, first, only, run } from './query-plan.js';

/**
 * `tapback accounts delete` for both backends (account-deletion-port.ts). Run in one transaction.
 * Children go before their parents, as the foreign keys require; rows tied to the account only by
 * a line number (early receipts, line event sources) or a message id go with those. The cascades
 * of the schema (line health, network segments, call forwarding, location shares) are deleted
 * explicitly too, so the counts say what went.
 */
export function* deleteAccount(q: QB, accountId: number, options: { force: boolean }): Plan<AccountDeletionResult> {
  const account = yield* first(q.selectFrom('accounts').select('id').where('id', '=', accountId));
  if (account === undefined) return { kind: 'not_found' };
  if (!options.force) {
    const { n } = yield* only(
      q
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', accountId)
        .where('status', '=', 'QUEUED'),
    );
    if (Number(n) > 0) return { kind: 'refused', queued: Number(n) };
  }

  const removed: AccountDeletionCounts = {};
  const count = (table: string, n: number): void => {
    if (n > 0) removed[table] = (removed[table] ?? 0) + n;
  };
  const lineNumbers = q.selectFrom('lines').select('number').where('account_id', '=', accountId);
  const lineIds = q.selectFrom('lines').select('id').where('account_id', '=', accountId);
  const messageIds = q.selectFrom('messages').select('id').where('account_id', '=', accountId);

  count('jobs', yield* deleteAccountJobs(q, accountId));
  count('network_segments', yield* run(q.deleteFrom('network_segments').where('message_id', 'in', messageIds)));
  count('messages', yield* run(q.deleteFrom('messages').where('account_id', '=', accountId)));
  count('message_counts', yield* run(q.deleteFrom('message_counts').where('account_id', '=', accountId)));
  count('idempotency_keys', yield* run(q.deleteFrom('idempotency_keys').where('account_id', '=', accountId)));

  // Locking the deliveries first (a no-op update) waits for an attempt being recorded on one of
  // them and keeps any other from starting, so no attempt row appears between the two deletes.
  yield* run(
    q
      .updateTable('webhook_deliveries')
      .set((eb) => ({ updated_at: eb.ref('updated_at') }))
      .where('account_id', '=', accountId),
  );
  const deliveryIds = q.selectFrom('webhook_deliveries').select('id').where('account_id', '=', accountId);
  count('webhook_attempts', yield* run(q.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveryIds)));
  count('webhook_deliveries', yield* run(q.deleteFrom('webhook_deliveries').where('account_id', '=', accountId)));
  count('webhook_endpoints', yield* run(q.deleteFrom('webhook_endpoints').where('account_id', '=', accountId)));
  count('webhook_settings', yield* run(q.deleteFrom('webhook_settings').where('account_id', '=', accountId)));

  count('network_chats', yield* run(q.deleteFrom('network_chats').where('account_id', '=', accountId)));
  count('chat_groups', yield* run(q.deleteFrom('chat_groups').where('account_id', '=', accountId)));
  count('contacts', yield* run(q.deleteFrom('contacts').where('account_id', '=', accountId)));
  count('media_objects', yield* run(q.deleteFrom('media_objects').where('account_id', '=', accountId)));
  count('verify_verifications', yield* run(q.deleteFrom('verify_verifications').where('account_id', '=', accountId)));
  count('verify_services', yield* run(q.deleteFrom('verify_services').where('account_id', '=', accountId)));
  count('totp_secrets', yield* run(q.deleteFrom('totp_secrets').where('account_id', '=', accountId)));
  count('account_settings', yield* run(q.deleteFrom('account_settings').where('account_id', '=', accountId)));
  count('seats', yield* run(q.deleteFrom('seats').where('account_id', '=', accountId)));
  count('inbox_sessions', yield* run(q.deleteFrom('inbox_sessions').where('account_id', '=', accountId)));
  count('sign_in_codes', yield* run(q.deleteFrom('sign_in_codes').where('account_id', '=', accountId)));
  count('auth_tokens', yield* run(q.deleteFrom('auth_tokens').where('account_id', '=', accountId)));
  count('api_keys', yield* run(q.deleteFrom('api_keys').where('account_id', '=', accountId)));

  count('early_receipts', yield* run(q.deleteFrom('early_receipts').where('line', 'in', lineNumbers)));
  count('line_event_sources', yield* run(q.deleteFrom('line_event_sources').where('line', 'in', lineNumbers)));
  count('line_health', yield* run(q.deleteFrom('line_health').where('number', 'in', lineNumbers)));
  count('location_shares', yield* run(q.deleteFrom('location_shares').where('line_id', 'in', lineIds)));
  count('location_shares', yield* run(q.deleteFrom('location_shares').where('account_id', '=', accountId)));
  count('call_forwarding', yield* run(q.deleteFrom('call_forwarding').where('line_id', 'in', lineIds)));
  count('call_forwarding', yield* run(q.deleteFrom('call_forwarding').where('account_id', '=', accountId)));
  count('lines', yield* run(q.deleteFrom('lines').where('account_id', '=', accountId)));
  count('accounts', yield* run(q.deleteFrom('accounts').where('id', '=', accountId)));
  return { kind: 'deleted', removed };
}
