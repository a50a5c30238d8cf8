import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { newSecretKeyText, parseSecretKey } from '../../lib/secret-cipher.js';

/**
 * The key that seals a SQLite database's secrets when `TAPBACK_SECRET_KEY` is not set: generated
 * on the first start into a file next to the database (`<database>.key`, mode 0600) and read on
 * every later one, so the zero-config start needs no setting and still keeps secrets sealed. It
 * protects a copy of the database file made without the key file (a backup, a shared dump); it
 * cannot protect against someone who can read the whole data directory.
 */
export function secretKeyFilePath(databasePath: string): string {
  return `${databasePath}.key`;
}

/** The key text of `databasePath`'s key file, created first if there is none. */
export function loadOrCreateSecretKey(databasePath: string): string {
  const path = secretKeyFilePath(databasePath);
  if (existsSync(path)) return readKeyFile(path);
  // Written whole under a name of its own, then linked into place: link fails if the file exists,
  // so of two processes starting together exactly one key wins, and neither reads a half-written file.
  const text = newSecretKeyText();
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, `${text}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readKeyFile(path);
  } finally {
    unlinkSync(temporary);
  }
  return text;
}

function readKeyFile(path: string): string {
  const text = readFileSync(path, 'utf8');
  try {
    parseSecretKey(text);
  } catch (error) {
    throw new Error(`the secret key file ${path} ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return text.trim();
}
