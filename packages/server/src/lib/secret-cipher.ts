import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets the server must read back (webhook signing secrets; later line credentials and TOTP
 * secrets) are stored sealed with AES-256-GCM under one 32-byte key: a random 96-bit nonce per
 * value, so sealing the same secret twice gives different text, and the GCM tag, so a wrong key or
 * an altered value is detected rather than decrypted into garbage. A sealed value is
 * `tbx1:` + base64url(nonce | ciphertext | tag); the version prefix lets a later scheme sit beside
 * this one. Text without the prefix is a value stored before sealing existed and is read as it is.
 */

const PREFIX = 'tbx1:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SECRET_KEY_BYTES = 32;

/** A key as `TAPBACK_SECRET_KEY` or the key file gives it: 32 bytes, base64 (or base64url) or hex. */
export function parseSecretKey(text: string): Buffer {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t))
    key = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
  if (key?.length !== SECRET_KEY_BYTES) {
    throw new Error('must be 32 bytes, as 64 hex digits or 44 base64 characters (e.g. `openssl rand -base64 32`)');
  }
  return key;
}

/** A fresh random key, in the base64 form `parseSecretKey` reads. */
export function newSecretKeyText(): string {
  return randomBytes(SECRET_KEY_BYTES).toString('base64');
}

/** Thrown when a sealed value does not open: another key sealed it, or it was altered. */
export class SecretKeyMismatch extends Error {
  constructor() {
    super('the secret key does not decrypt a stored secret: it is not the key the secret was encrypted with');
    this.name = 'SecretKeyMismatch';
  }
}

export class SecretCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== SECRET_KEY_BYTES) throw new Error(`a secret key is ${SECRET_KEY_BYTES} bytes`);
    this.key = Buffer.from(key);
  }

  static fromText(text: string): SecretCipher {
    return new SecretCipher(parseSecretKey(text));
  }

  seal(plaintext: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return PREFIX + Buffer.concat([nonce, body]).toString('base64url');
  }

  /** The plaintext of a sealed value; a value stored unsealed is returned as it is. */
  open(stored: string): string {
    if (!isSealed(stored)) return stored;
    if (!stored.startsWith(PREFIX)) {
      throw new Error(
        `a stored secret is sealed with ${stored.slice(0, stored.indexOf(':'))}, a scheme newer than this version reads`,
      );
    }
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new SecretKeyMismatch();
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretKeyMismatch();
    }
  }
}

/** Whether `stored` was sealed (by any version of the scheme), rather than stored as plaintext. */
export function isSealed(stored: string): boolean {
  return /^tbx\d+:/.test(stored);
}
