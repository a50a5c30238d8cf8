import type { AuthToken, AuthTokenGrant } from '../../domain/auth-token.js';
import type { NewAuthToken } from '../queries/token-queries.js';

/** Temporary bearer tokens. Only digests are stored; `findAuthToken` is read on every bearer request. */
export interface TokensPort {
  createAuthToken(input: NewAuthToken): Promise<AuthToken>;
  /** False when the account has no token of that id (another account's included); true if already revoked. */
  revokeAuthToken(accountId: number, tokenId: string, now: number): Promise<boolean>;
  /**
   * The token whose SHA-256 digest is `digest`, with its account and minting key, for
   * authentication; revoked and expired tokens are returned too (callers check). Never stale:
   * a revocation committed by any process is seen by the next lookup.
   */
  findAuthToken(digest: string): Promise<AuthTokenGrant | undefined>;
}
