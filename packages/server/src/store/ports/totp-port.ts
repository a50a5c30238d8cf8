import type { TotpSecret, TotpSecretInfo } from '../../domain/totp-secret.js';

/** Stored TOTP secrets; the secret is sealed in the database and opened only for `getTotpSecret`. */
export interface TotpPort {
  createTotpSecret(secret: TotpSecret): Promise<TotpSecretInfo>;
  /** Oldest first, without the secrets. */
  listTotpSecrets(accountId: number): Promise<TotpSecretInfo[]>;
  /** With its secret opened, to compute a code. */
  getTotpSecret(accountId: number, id: string): Promise<TotpSecret | undefined>;
  deleteTotpSecret(accountId: number, id: string): Promise<boolean>;
}
