import type { AuthToken, AuthTokenGrant } from '../../domain/auth-token.js';
import { fromJson, holdsNul } from './dialect-values.js';
import { type Plan, type QB, type RowOf, all, first, run } from './query-plan.js';

/** Temporary bearer tokens (TokensPort). Rows hold the token's SHA-256 digest, never the token. */

export interface NewAuthToken {
  tokenId: string;
  accountId: number;
  keyId: string;
  digest: string;
  phoneNumbers: readonly string[];
  now: number;
  expiresAt: number;
}

export function* createAuthToken(q: QB, input: NewAuthToken): Plan<AuthToken> {
  // Expired tokens can never authenticate again: minting drops the account's, so rows stay few.
  yield* run(
    q.deleteFrom('auth_tokens').where('account_id', '=', input.accountId).where('expires_at', '<=', input.now),
  );
  yield* run(
    q.insertInto('auth_tokens').values({
      token_id: input.tokenId,
      account_id: input.accountId,
      key_id: input.keyId,
      token_digest: input.digest,
      phone_numbers: JSON.stringify(input.phoneNumbers),
      created_at: input.now,
      expires_at: input.expiresAt,
      revoked_at: null,
    }),
  );
  return {
    tokenId: input.tokenId,
    accountId: input.accountId,
    keyId: input.keyId,
    phoneNumbers: [...input.phoneNumbers],
    createdAt: input.now,
    expiresAt: input.expiresAt,
    revokedAt: null,
  };
}

/** Revokes the account's token; false when the account has no token of that id (another's included). */
export function* revokeAuthToken(q: QB, accountId: number, tokenId: string, now: number): Plan<boolean> {
  if (holdsNul(tokenId)) return false;
  const changed = yield* run(
    q
      .updateTable('auth_tokens')
      .set({ revoked_at: now })
      .where('token_id', '=', tokenId)
      .where('account_id', '=', accountId)
      .where('revoked_at', 'is', null),
  );
  if (changed > 0) return true;
  // Revoking twice is not an error: the token is revoked, as asked.
  const row = yield* first(
    q.selectFrom('auth_tokens').select('token_id').where('token_id', '=', tokenId).where('account_id', '=', accountId),
  );
  return row !== undefined;
}

export function* findAuthToken(q: QB, digest: string): Plan<AuthTokenGrant | undefined> {
  const row = yield* first(grants(q).where('t.token_digest', '=', digest));
  return row && grantFromRow(row);
}

/** The tokens of many digests in one query (PostgreSQL batches the lookups of an event-loop turn). */
export function* findAuthTokens(q: QB, digests: readonly string[]): Plan<{ digest: string; grant: AuthTokenGrant }[]> {
  const wanted = [...new Set(digests)].filter((d) => !holdsNul(d));
  if (wanted.length === 0) return [];
  const rows = yield* all(grants(q).where((eb) => q.dialectValues.textIn(eb.ref('t.token_digest'), wanted)));
  return rows.map((r) => ({ digest: r.token_digest, grant: grantFromRow(r) }));
}

function grants(q: QB) {
  return q
    .selectFrom('auth_tokens as t')
    .innerJoin('accounts as a', 'a.id', 't.account_id')
    .innerJoin('api_keys as k', 'k.key_id', 't.key_id')
    .select([
      't.token_id',
      't.account_id',
      't.key_id',
      't.token_digest',
      't.phone_numbers',
      't.created_at',
      't.expires_at',
      't.revoked_at',
      'a.email as account_email',
      'a.plan as account_plan',
      'k.revoked_at as key_revoked_at',
    ]);
}

function grantFromRow(r: RowOf<ReturnType<typeof grants>>): AuthTokenGrant {
  return {
    tokenId: r.token_id,
    accountId: r.account_id,
    keyId: r.key_id,
    phoneNumbers: fromJson(r.phone_numbers),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    accountEmail: r.account_email,
    accountPlan: r.account_plan,
    keyRevokedAt: r.key_revoked_at,
  };
}
