import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { type SqliteStore, createSqliteStore } from './sqlite-store.js';

/**
 * Keys and lines are cached per connection (lookup-cache.ts). Another process (the CLI, while the
 * server runs) writes through a connection of its own: its commits must be seen from the next
 * event-loop turn on (the next request), as a fresh read would see them.
 */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SQLite key and line lookups across connections', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: SqliteStore;
  let cli: SqliteStore;
  let accountId: number;

  beforeEach(async () => {
    dir = tempDir('tapback-lookup-');
    server = createSqliteStore(`${dir.path}/tapback.db`);
    await server.migrate();
    server.startBackgroundWork();
    cli = createSqliteStore(`${dir.path}/tapback.db`);
    accountId = (await server.createAccount({ email: 'a@example.com', now: Date.now() })).id;
    await server.createApiKey({ accountId, keyId: 'key-0001', secretDigest: 'd'.repeat(64), now: Date.now() });
    await server.addLine({ accountId, number: '+15550001000', provider: 'sandbox', now: Date.now() });
  });

  afterEach(async () => {
    await cli.close();
    await server.close();
    dir.cleanup();
  });

  it('sees a key revoked by another connection on the next lookup', async () => {
    for (let i = 0; i < 3; i++) expect((await server.findApiKey('key-0001'))?.revokedAt).toBeNull();
    expect(await cli.revokeApiKey('key-0001', Date.now())).toBe(true);
    await nextTurn();
    expect((await server.findApiKey('key-0001'))?.revokedAt).toBeTypeOf('number');
  });

  it('hands out rows no caller can change for the next one', async () => {
    expect(Object.isFrozen(await server.findApiKey('key-0001'))).toBe(true);
    expect(Object.isFrozen(await server.findLine('+15550001000'))).toBe(true);
  });

  it('sees keys and lines added by another connection, and never caches a miss', async () => {
    expect(await server.findApiKey('key-0002')).toBeUndefined();
    expect(await server.findLine('+15550001001')).toBeUndefined();
    await cli.createApiKey({ accountId, keyId: 'key-0002', secretDigest: 'e'.repeat(64), now: Date.now() });
    await cli.addLine({ accountId, number: '+15550001001', provider: 'sandbox', now: Date.now() });
    await nextTurn();
    expect(await server.findApiKey('key-0002')).toMatchObject({ accountId, secretDigest: 'e'.repeat(64) });
    expect(await server.findLine('+15550001001')).toMatchObject({ accountId, provider: 'sandbox' });
  });
});
