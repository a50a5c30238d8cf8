import type { InboxSession, InboxSessionGrant } from '../../domain/inbox-session.js';
import type { NewInboxSession, NewSignInCode } from '../queries/session-queries.js';

/**
 * Sessions of the web inbox and the one-time sign-in codes that open them. Only digests are
 * stored. Never stale: a sign-out or revocation committed by any process is seen by the next lookup.
 */
export interface SessionsPort {
  createSession(input: NewInboxSession): Promise<InboxSession>;
  /** The session of that cookie digest, with its account, key and token; expired or revoked too (callers check). */
  findSession(digest: string): Promise<InboxSessionGrant | undefined>;
  /** False when no session has that digest. */
  deleteSession(digest: string): Promise<boolean>;
  createSignInCode(input: NewSignInCode): Promise<void>;
  /**
   * Consumes the code (unknown, used and expired ones open nothing) and opens a session for its
   * account and key, atomically: of concurrent exchanges of one code, at most one gets a session.
   */
  exchangeSignInCode(
    codeDigest: string,
    session: Omit<NewInboxSession, 'accountId' | 'keyId' | 'tokenId'>,
  ): Promise<InboxSessionGrant | undefined>;
}
