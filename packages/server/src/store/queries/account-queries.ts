import type { Account, ApiKey, ApiKeyWithDigest } from '../../domain/account.js';
import { holdsNul } from './dialect-values.js';
import { type Plan, type QB, type RowOf, all, first, only, run } from './query-plan.js';

/** Accounts and their API keys (AccountsPort). */

export function* createAccount(q: QB, input: { email: string; plan?: string; now: number }): Plan<Account> {
  const plan = input.plan ?? 'dedicated';
  const { id } = yield* only(
    q.insertInto('accounts').values({ email: input.email, plan, created_at: input.now }).returning('id'),
  );
  return { id, email: input.email, plan, createdAt: input.now };
}

export function* findAccountByEmail(q: QB, email: string): Plan<Account | undefined> {
  const row = yield* first(accounts(q).where((eb) => q.dialectValues.emailEquals(eb.ref('email'), email)));
  return row && accountFromRow(row);
}

export function* listAccounts(q: QB): Plan<Account[]> {
  return (yield* all(accounts(q).orderBy('id'))).map(accountFromRow);
}

export function* createApiKey(
  q: QB,
  input: { accountId: number; keyId: string; secretDigest: string; label?: string; now: number },
): Plan<ApiKey> {
  yield* run(
    q.insertInto('api_keys').values({
      key_id: input.keyId,
      account_id: input.accountId,
      secret_digest: input.secretDigest,
      label: input.label ?? null,
      created_at: input.now,
    }),
  );
  const key = yield* findApiKey(q, input.keyId);
  if (key === undefined) throw new Error('api key vanished after insert');
  return withoutDigest(key);
}

export function* listApiKeys(q: QB, accountId?: number): Plan<ApiKey[]> {
  let query = keys(q);
  if (accountId !== undefined) query = query.where('k.account_id', '=', accountId);
  const rows = yield* all(query.orderBy('k.created_at').orderBy('k.key_id'));
  return rows.map((r) => withoutDigest(keyFromRow(r)));
}

export function* revokeApiKey(q: QB, keyId: string, now: number): Plan<boolean> {
  if (holdsNul(keyId)) return false;
  const changed = yield* run(
    q.updateTable('api_keys').set({ revoked_at: now }).where('key_id', '=', keyId).where('revoked_at', 'is', null),
  );
  return changed > 0;
}

export function* findApiKey(q: QB, keyId: string): Plan<ApiKeyWithDigest | undefined> {
  const row = yield* first(keys(q).where('k.key_id', '=', keyId));
  return row && keyFromRow(row);
}

/** The keys of many ids in one query (PostgreSQL batches the lookups of an event-loop turn). */
export function* findApiKeys(q: QB, keyIds: readonly string[]): Plan<ApiKeyWithDigest[]> {
  // One id that no key can have must not fail the others' query.
  const ids = [...new Set(keyIds)].filter((id) => !holdsNul(id));
  if (ids.length === 0) return [];
  const rows = yield* all(keys(q).where((eb) => q.dialectValues.textIn(eb.ref('k.key_id'), ids)));
  return rows.map(keyFromRow);
}

function accounts(q: QB) {
  return q.selectFrom('accounts').select(['id', 'email', 'plan', 'created_at']);
}

function accountFromRow(r: RowOf<ReturnType<typeof accounts>>): Account {
  return { id: r.id, email: r.email, plan: r.plan, createdAt: r.created_at };
}

function keys(q: QB) {
  return q
    .selectFrom('api_keys as k')
    .innerJoin('accounts as a', 'a.id', 'k.account_id')
    .select([
      'k.key_id',
      'k.account_id',
      'a.email as account_email',
      'a.plan as account_plan',
      'k.label',
      'k.created_at',
      'k.revoked_at',
      'k.secret_digest',
    ]);
}

function keyFromRow(r: RowOf<ReturnType<typeof keys>>): ApiKeyWithDigest {
  return {
    keyId: r.key_id,
    accountId: r.account_id,
    accountEmail: r.account_email,
    accountPlan: r.account_plan,
    label: r.label,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    secretDigest: r.secret_digest,
  };
}

function withoutDigest(key: ApiKeyWithDigest): ApiKey {
  const { secretDigest: _omit, ...rest } = key;
  return rest;
}
