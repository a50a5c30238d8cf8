import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretCipher, SecretKeyMismatch, isSealed, newSecretKeyText, parseSecretKey } from './secret-cipher.js';

describe('SecretCipher', () => {
  const cipher = SecretCipher.fromText(newSecretKeyText());

  it('opens what it sealed; the sealed text holds no trace of the plaintext and differs per seal', () => {
    const secret = 'whsec_c2VjcmV0LWJ5dGVzLWZvci10aGUtdGVzdC0wMDAwMDAwMDAwMA==';
    const a = cipher.seal(secret);
    const b = cipher.seal(secret);
    expect(a).toMatch(/^tbx1:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('whsec_');
    expect(cipher.open(a)).toBe(secret);
    expect(cipher.open(b)).toBe(secret);
    expect(isSealed(a)).toBe(true);
  });

  it('reads a value stored before sealing as it is', () => {
    expect(cipher.open('whsec_plain')).toBe('whsec_plain');
    expect(isSealed('whsec_plain')).toBe(false);
  });

  it('refuses to open with another key, or an altered value, rather than return garbage', () => {
    const sealed = cipher.seal('whsec_x');
    expect(() => new SecretCipher(randomBytes(32)).open(sealed)).toThrow(SecretKeyMismatch);
    const flipped = sealed.slice(0, -2) + (sealed.at(-2) === 'A' ? 'B' : 'A') + sealed.at(-1);
    expect(() => cipher.open(flipped)).toThrow(SecretKeyMismatch);
    expect(() => cipher.open('tbx1:AAAA')).toThrow(SecretKeyMismatch);
    expect(() => cipher.open('tbx2:AAAA')).toThrow(/tbx2/);
  });

  it('takes 32-byte keys as hex or base64 and refuses anything else', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(`${key.toString('base64url')}\n`)).toEqual(key);
    for (const bad of ['', 'short', randomBytes(16).toString('hex'), randomBytes(31).toString('base64')]) {
      expect(() => parseSecretKey(bad)).toThrow(/32 bytes/);
    }
  });
});
