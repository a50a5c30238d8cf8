import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newMediaId } from '../src/domain/media.js';
import { exportSqlite } from '../src/store/sqlite/sqlite-transfer.js';
import { importIntoPostgres } from '../src/store/postgres/postgres-transfer.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { HAS_POSTGRES, TEST_SECRET_KEY } from './support/backends.js';
import { type TestDatabase, createTestDatabase } from './support/postgres.js';
import { tempDir } from './support/temp-dir.js';

/** Media bytes (a BLOB on SQLite) arrive byte for byte in PostgreSQL's bytea when a database is moved. */
describe.skipIf(!HAS_POSTGRES)('moving media objects from SQLite to PostgreSQL', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: TestDatabase;

  beforeEach(async () => {
    dir = tempDir('tapback-migrate-media-');
    db = await createTestDatabase();
  });
  afterEach(async () => {
    dir.cleanup();
    await db.dispose();
  });

  it('copies every byte of every media object', async () => {
    const path = `${dir.path}/tapback.db`;
    const sqlite = createSqliteStore(path);
    await sqlite.migrate();
    const account = await sqlite.createAccount({ email: 'media@example.com', now: Date.now() });
    const bytes = Buffer.from([0, 1, 2, 0x5c, 0x78, 0xff, 0x80, 0x22, 0]);
    const id = newMediaId();
    await sqlite.saveMedia({
      id,
      accountId: account.id,
      filename: 'x.png',
      contentType: 'image/png',
      size: bytes.length,
      sourceUrl: null,
      bytes,
      createdAt: Date.now(),
    });
    await sqlite.close();

    const postgres = createPostgresStore(db.url, { poolSize: 2, secretKey: TEST_SECRET_KEY });
    await postgres.migrate();
    const exported = exportSqlite(path);
    try {
      // Only the tables this test fills: the rest are other concerns' (and other tests').
      const tables = exported.tables.filter((t) => t.name === 'accounts' || t.name === 'media_objects');
      await importIntoPostgres(db.url, tables);
    } finally {
      exported.close();
    }
    const copied = await postgres.getMedia(id);
    await postgres.close();
    expect(copied?.bytes.equals(bytes)).toBe(true);
    expect(copied).toMatchObject({ accountId: account.id, filename: 'x.png', sourceUrl: null });
  });
});
