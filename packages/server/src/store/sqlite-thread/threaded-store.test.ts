import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { twoAccounts } from '../../../test/support/backends.js';
import { messageDraft } from '../../../test/support/message-draft.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { createSqliteStore } from '../sqlite/sqlite-store.js';
import type { Store } from '../store.js';
import { type ThreadedSqliteStore, isThreaded, openThreadedSqliteStore } from './threaded-store.js';

/**
 * The store on a thread of its own answers exactly as the store in the caller's thread: the same
 * results (media bytes as Buffers), the same errors with their fields, one transaction for one
 * turn's sends, and a clean end. The store contract suites also run on it (`sqlite-thread`).
 */
describe('the SQLite store on a thread of its own', () => {
  let dir: ReturnType<typeof tempDir>;
  let threaded: ThreadedSqliteStore;
  let direct: Store;

  beforeEach(async () => {
    dir = tempDir('tapback-thread-');
    threaded = await openThreadedSqliteStore(`${dir.path}/threaded.db`);
    await threaded.migrate();
    direct = createSqliteStore(`${dir.path}/direct.db`);
    await direct.migrate();
  });
  afterEach(async () => {
    await threaded.close();
    await direct.close();
    dir.cleanup();
  });

  it('gives the same results as the store in this thread, media bytes as Buffers', async () => {
    expect(isThreaded(threaded)).toBe(true);
    expect(isThreaded(direct)).toBe(false);
    const input = { email: 'same@example.com', now: 1_800_000_000_000 };
    expect(await threaded.createAccount(input)).toEqual(await direct.createAccount(input));
    expect(await threaded.listAccounts()).toEqual(await direct.listAccounts());
    expect(threaded.durability()).toEqual({ journalMode: 'wal', synchronous: 2 });

    const bytes = Buffer.from('\x89PNG not really, but bytes all the same\x00\xff', 'latin1');
    const account = (await threaded.findAccountByEmail('same@example.com'))!;
    const media = {
      id: 'a'.repeat(32),
      accountId: account.id,
      filename: 'x.png',
      contentType: 'image/png',
      size: bytes.length,
      sourceUrl: null,
      createdAt: 1_800_000_000_000,
      bytes,
    };
    await threaded.saveMedia(media);
    const read = await threaded.getMedia(media.id);
    expect(Buffer.isBuffer(read?.bytes)).toBe(true);
    expect(read?.bytes.toString('base64')).toBe(bytes.toString('base64'));
    expect(read?.bytes.toString('latin1')).toBe(bytes.toString('latin1'));
  });

  it('rejects with the error the store in this thread throws: its name, message and code', async () => {
    const input = { email: 'twice@example.com', now: 1 };
    await direct.createAccount(input);
    await threaded.createAccount(input);
    const theirs = await direct.createAccount(input).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    const ours = await threaded.createAccount(input).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(theirs).toBeInstanceOf(Error);
    expect(ours).toBeInstanceOf(Error);
    expect({ name: ours!.name, message: ours!.message, code: ours!.code }).toEqual({
      name: theirs!.name,
      message: theirs!.message,
      code: theirs!.code,
    });
    expect(ours!.code).toMatch(/^SQLITE_CONSTRAINT/);
  });

  it('commits the sends of one event-loop turn in one transaction', async () => {
    const { a } = await twoAccounts(threaded, { a: ['+15550001000'], b: [] });
    // data_version, read on another connection, moves once per commit made by other connections.
    const side = new Database(`${dir.path}/threaded.db`, { readonly: true });
    try {
      const version = () => side.pragma('data_version', { simple: true }) as number;
      const before = version();
      const sends = Array.from({ length: 40 }, (_, i) =>
        threaded.acceptOutbound({
          message: messageDraft(a, '+15550001000', `+1999888${String(i).padStart(4, '0')}`),
          queueLimit: 1_000,
        }),
      );
      const results = await Promise.all(sends);
      expect(results.every((r) => r.kind === 'accepted')).toBe(true);
      expect(version() - before).toBe(1);
    } finally {
      side.close();
    }
  });

  it('ends cleanly: close resolves once the file is closed, and later calls fail at once', async () => {
    const path = `${dir.path}/closing.db`;
    const store = await openThreadedSqliteStore(path);
    await store.migrate();
    await store.createAccount({ email: 'kept@example.com', now: 1 });
    await Promise.all([store.close(), store.close()]);
    // The file is folded and closed: another connection sees the row without the WAL.
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT email FROM accounts').all()).toEqual([{ email: 'kept@example.com' }]);
    } finally {
      db.close();
    }
    await expect(store.listAccounts()).rejects.toThrow(/SQLite thread exited/);
  });

  it('refuses a path it cannot open (a directory), with the driver’s reason', async () => {
    await expect(openThreadedSqliteStore(dir.path)).rejects.toThrow(/SQLite thread failed: .+/);
  });
});
