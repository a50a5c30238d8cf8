/** Accounts, their API keys and their lines: who may call the API, and from which numbers. */
export interface Account {
  id: number;
  email: string;
  plan: string;
  createdAt: number;
}

export interface ApiKey {
  keyId: string;
  accountId: number;
  accountEmail: string;
  accountPlan: string;
  label: string | null;
  createdAt: number;
  revokedAt: number | null;
}

/** A key with the digest of its secret, for authentication only; never leaves the process. */
export type ApiKeyWithDigest = ApiKey & { secretDigest: string };

export interface Line {
  id: number;
  accountId: number;
  accountEmail: string;
  accountPlan: string;
  number: string;
  provider: string;
  createdAt: number;
  /** The line that carries this line's SMS (routing); null or absent: none named. */
  fallbackLine?: string | null;
  /** How long an iMessage send waits for a delivery before going by SMS; null or absent: 60 s. */
  fallbackAfterMs?: number | null;
}
