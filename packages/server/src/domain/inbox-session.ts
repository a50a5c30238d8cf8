/**
 * Browser sessions of the web inbox: made from a key pair, a bearer token or a one-time sign-in
 * code, carried by the `tapback_session` cookie. Only the SHA-256 digest of the cookie value is
 * stored, as for bearer tokens.
 */
export interface InboxSession {
  /** Names the session in logs; not a credential. */
  sessionId: string;
  accountId: number;
  /** The key pair it acts for (for a token, the key that minted it); revoking it ends the session. */
  keyId: string;
  /** The bearer token it was made from; revoking the token ends the session too. */
  tokenId: string | null;
  createdAt: number;
  expiresAt: number;
}

/** A session as authentication reads it: with its account and the state of its key and token. */
export interface InboxSessionGrant extends InboxSession {
  accountEmail: string;
  accountPlan: string;
  keyRevokedAt: number | null;
  tokenRevokedAt: number | null;
}

/** Whether a session authenticates a request at `now`: unexpired, its key and token unrevoked. */
export function sessionIsLive(grant: InboxSessionGrant, now: number): boolean {
  return grant.keyRevokedAt === null && grant.tokenRevokedAt === null && now < grant.expiresAt;
}

/** How long a one-time sign-in code may be exchanged. */
export const SIGN_IN_CODE_TTL_MS = 15 * 60_000;
