import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { durabilityOf, openSqliteDatabase, requireDurable } from './sqlite-connection.js';

describe('SQLite durability settings', () => {
  const dirs: { cleanup: () => void }[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.cleanup();
  });

  it('opens a file in WAL mode with synchronous=FULL, as read back from the connection', () => {
    const dir = tempDir('tapback-durability-');
    dirs.push(dir);
    const db = openSqliteDatabase(`${dir.path}/tapback.db`);
    try {
      expect(durabilityOf(db)).toEqual({ journalMode: 'wal', synchronous: 2 });
    } finally {
      db.close();
    }
  });

  it.each([
    { journalMode: 'wal', synchronous: 2 },
    { journalMode: 'WAL', synchronous: 2 },
    { journalMode: 'wal', synchronous: 3 },
  ])('accepts %o', (d) => {
    expect(() => requireDurable(d, '/data/tapback.db')).not.toThrow();
  });

  // SQLite keeps the old journal mode, without an error, where it cannot switch to WAL.
  it.each([
    { journalMode: 'delete', synchronous: 2 },
    { journalMode: 'memory', synchronous: 2 },
    { journalMode: 'wal', synchronous: 1 },
    { journalMode: 'wal', synchronous: 0 },
  ])('refuses to start on %o, naming the file and the settings', (d) => {
    expect(() => requireDurable(d, '/data/tapback.db')).toThrow(
      new RegExp(`/data/tapback\\.db runs with journal_mode=${d.journalMode}, synchronous=${d.synchronous}`),
    );
  });
});
