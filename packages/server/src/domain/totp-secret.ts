/**
 * A stored TOTP (RFC 6238) secret, from which the server computes the current code for an agent
 * that has no authenticator app. The secret itself is stored sealed and shown only once, in the
 * answer to its creation.
 */

export const TOTP_ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'] as const;
export type TotpAlgorithm = (typeof TOTP_ALGORITHMS)[number];

export const TOTP_DIGITS = [6, 8] as const;

export const TOTP_LIMITS = {
  period: { min: 10, max: 300, default: 30 },
  /** 80 bits, the shortest secret common services (GitHub's 16 base32 characters) issue. */
  minSecretBytes: 10,
  /** A generated secret: 160 bits, RFC 4226's recommendation. */
  generatedSecretBytes: 20,
  labelMax: 200,
} as const;

/** A secret as lists show it: everything but the secret. */
export interface TotpSecretInfo {
  id: string;
  accountId: number;
  label: string;
  issuer: string | null;
  algorithm: TotpAlgorithm;
  digits: number;
  period: number;
  createdAt: number;
}

/** With its base32 secret: the answer to its creation, and what computes codes. */
export interface TotpSecret extends TotpSecretInfo {
  secret: string;
}
