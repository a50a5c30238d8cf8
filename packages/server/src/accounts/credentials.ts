import { createHash, timingSafeEqual } from 'node:crypto';
import { randomToken } from '../domain/ids.js';
import type { ApiKey } from '../domain/account.js';
import type { AccountsPort } from '../store/ports/accounts-port.js';

/**
 * API key pairs. The key id is public (it names the key); the secret is shown once at creation
 * and stored only as a SHA-256 digest, unsalted. Secrets Tapback generates are 256-bit random,
 * and a secret given by configuration must be 32 or more characters (config.ts), so reversing a
 * stolen digest means guessing the secret itself, which no salt or slow hash would make harder.
 * A salt only defends against precomputed tables and against equal secrets showing as equal
 * digests, neither of which applies to secrets that long; a slow KDF would cost every request.
 */
export function digestSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored digest. */
export function secretMatches(secret: string, storedDigest: string): boolean {
  const a = Buffer.from(digestSecret(secret), 'hex');
  const b = Buffer.from(storedDigest, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface KeyPair {
  key: ApiKey;
  /** The plaintext secret; not retrievable later. */
  secret: string;
}

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;
export const SECRET_PATTERN = /^[\x21-\x7e]{32,512}$/;

export async function createKeyPair(
  store: AccountsPort,
  accountId: number,
  now: number,
  fixed: { keyId?: string; secret?: string; label?: string } = {},
): Promise<KeyPair> {
  const keyId = fixed.keyId ?? randomToken(16);
  const secret = fixed.secret ?? randomToken(32);
  const key = await store.createApiKey({
    accountId,
    keyId,
    secretDigest: digestSecret(secret),
    now,
    ...(fixed.label === undefined ? {} : { label: fixed.label }),
  });
  return { key, secret };
}
