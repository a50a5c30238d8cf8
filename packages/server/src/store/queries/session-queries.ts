import type { InboxSession, InboxSessionGrant } from '../../domain/inbox-session.js';
import { holdsNul } from './dialect-values.js';
import { type Plan, type QB, type RowOf, all, first, run } from './query-plan.js';

/** Inbox sessions and one-time sign-in codes (SessionsPort). Rows hold digests, never the secrets. */

export interface NewInboxSession {
  sessionId: string;
  accountId: number;
  keyId: string;
  tokenId: string | null;
  digest: string;
  now: number;
  expiresAt: number;
}

export interface NewSignInCode {
  digest: string;
  accountId: number;
  keyId: string;
  now: number;
  expiresAt: number;
}

export function* createSession(q: QB, input: NewInboxSession): Plan<InboxSession> {
  // Expired sessions can never authenticate again: opening one drops the account's, so rows stay few.
  yield* run(
    q.deleteFrom('inbox_sessions').where('account_id', '=', input.accountId).where('expires_at', '<=', input.now),
  );
  yield* run(
    q.insertInto('inbox_sessions').values({
      session_id: input.sessionId,
      session_digest: input.digest,
      account_id: input.accountId,
      key_id: input.keyId,
      token_id: input.tokenId,
      created_at: input.now,
      expires_at: input.expiresAt,
    }),
  );
  return {
    sessionId: input.sessionId,
    accountId: input.accountId,
    keyId: input.keyId,
    tokenId: input.tokenId,
    createdAt: input.now,
    expiresAt: input.expiresAt,
  };
}

/** The session whose cookie has SHA-256 digest `digest`; expired and revoked ones too (callers check). */
export function* findSession(q: QB, digest: string): Plan<InboxSessionGrant | undefined> {
  const row = yield* first(grants(q).where('s.session_digest', '=', digest));
  return row && grantFromRow(row);
}

/** Ends the session; false when there was none of that digest. */
export function* deleteSession(q: QB, digest: string): Plan<boolean> {
  if (holdsNul(digest)) return false;
  return (yield* run(q.deleteFrom('inbox_sessions').where('session_digest', '=', digest))) > 0;
}

export function* createSignInCode(q: QB, input: NewSignInCode): Plan<void> {
  // Expired codes can never be exchanged: minting drops them (every account's; there are few).
  yield* run(q.deleteFrom('sign_in_codes').where('expires_at', '<=', input.now));
  yield* run(
    q.insertInto('sign_in_codes').values({
      code_digest: input.digest,
      account_id: input.accountId,
      key_id: input.keyId,
      created_at: input.now,
      expires_at: input.expiresAt,
    }),
  );
}

/**
 * Exchanges a sign-in code for a new session, in one transaction. The code's row is deleted by the
 * same statement that reads it, so of two exchanges of one code only one finds it (the other waits
 * for the first to commit on PostgreSQL; SQLite runs one writer at a time), and a used code is gone.
 * An expired code is deleted and opens nothing. Returns the new session as authentication reads it.
 */
export function* exchangeSignInCode(
  q: QB,
  codeDigest: string,
  session: Omit<NewInboxSession, 'accountId' | 'keyId' | 'tokenId'>,
): Plan<InboxSessionGrant | undefined> {
  const [code] = yield* all(
    q
      .deleteFrom('sign_in_codes')
      .where('code_digest', '=', codeDigest)
      .returning(['account_id', 'key_id', 'expires_at']),
  );
  if (code === undefined || code.expires_at <= session.now) return undefined;
  yield* createSession(q, { ...session, accountId: code.account_id, keyId: code.key_id, tokenId: null });
  return yield* findSession(q, session.digest);
}

function grants(q: QB) {
  return q
    .selectFrom('inbox_sessions as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .innerJoin('api_keys as k', 'k.key_id', 's.key_id')
    .leftJoin('auth_tokens as t', 't.token_id', 's.token_id')
    .select([
      's.session_id',
      's.account_id',
      's.key_id',
      's.token_id',
      's.created_at',
      's.expires_at',
      'a.email as account_email',
      'a.plan as account_plan',
      'k.revoked_at as key_revoked_at',
      't.revoked_at as token_revoked_at',
    ]);
}

function grantFromRow(r: RowOf<ReturnType<typeof grants>>): InboxSessionGrant {
  return {
    sessionId: r.session_id,
    accountId: r.account_id,
    keyId: r.key_id,
    tokenId: r.token_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    accountEmail: r.account_email,
    accountPlan: r.account_plan,
    keyRevokedAt: r.key_revoked_at,
    tokenRevokedAt: r.token_revoked_at ?? null,
  };
}
