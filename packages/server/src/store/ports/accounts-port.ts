import type { Account, ApiKey, ApiKeyWithDigest } from '../../domain/account.js';

/** Accounts and their API keys. Writes take `now` from the caller's clock. */
export interface AccountsPort {
  createAccount(input: { email: string; plan?: string; now: number }): Promise<Account>;
  /** Emails match case-insensitively (ASCII). */
  findAccountByEmail(email: string): Promise<Account | undefined>;
  listAccounts(): Promise<Account[]>;
  createApiKey(input: {
    accountId: number;
    keyId: string;
    secretDigest: string;
    label?: string;
    now: number;
  }): Promise<ApiKey>;
  listApiKeys(accountId?: number): Promise<ApiKey[]>;
  revokeApiKey(keyId: string, now: number): Promise<boolean>;
  /** The key with its account, for authentication; revoked keys are returned too (callers check). */
  findApiKey(keyId: string): Promise<ApiKeyWithDigest | undefined>;
}
