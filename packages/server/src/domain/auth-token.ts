/** Temporary bearer tokens: minted with an API key pair, used as `Authorization: Bearer <token>`. */
export interface AuthToken {
  tokenId: string;
  accountId: number;
  /** The key pair that minted it; revoking that key ends the token too. */
  keyId: string;
  /** The lines the token may act through; empty: the whole account. */
  phoneNumbers: readonly string[];
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

/** A token as authentication reads it: with its account and the state of the key that minted it. */
export interface AuthTokenGrant extends AuthToken {
  accountEmail: string;
  accountPlan: string;
  keyRevokedAt: number | null;
}

/** Sendblue's bounds for `expires_in_seconds`, and its default. */
export const TOKEN_TTL_SECONDS = { min: 60, max: 3600, default: 900 } as const;

/** Whether a token authenticates a request at `now`: neither revoked (nor its key) nor expired. */
export function tokenIsLive(grant: AuthTokenGrant, now: number): boolean {
  return grant.revokedAt === null && grant.keyRevokedAt === null && now < grant.expiresAt;
}
