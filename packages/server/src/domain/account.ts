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
}
