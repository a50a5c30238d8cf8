import Database from 'better-sqlite3';
import { existsSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import SendblueAPI from 'sendblue';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPgTool } from '../src/store/postgres/postgres-backup.js';
import { CONTACT, advanceClock } from './support/api-helpers.js';
import {
  HAS_POSTGRES,
  type ServerBackend,
  SERVER_BACKENDS,
  TEST_SECRET_KEY,
  sqliteServerBackend,
} from './support/backends.js';
import { killAllChildren, runCli } from './support/cli-process.js';
import { createTestDatabase } from './support/postgres.js';
import { tempDir } from './support/temp-dir.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * `tapback backup` while a server serves, then `tapback restore` into a new database: the restored
 * database equals the source row for row, table by table (traffic stopped during the backup), and a
 * backup taken under concurrent sends is a sound database (integrity, foreign keys, every QUEUED
 * message with its job, counters that match the rows). PostgreSQL goes through pg_dump/pg_restore.
 */
type Rows = Record<string, unknown[]>;

/** Tables to compare, with their rows in a total order (every column, left to right). */
function sqliteTables(path: string): Rows {
  const db = new Database(path, { readonly: true });
  try {
    const names = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    const rows: Rows = {};
    for (const name of names.sort()) {
      const columns = (db.prepare(`PRAGMA table_info("${name}")`).all() as unknown[]).length;
      const order = Array.from({ length: columns }, (_, i) => i + 1).join(', ');
      rows[name] = db.prepare(`SELECT * FROM "${name}" ORDER BY ${order}`).all();
    }
    return rows;
  } finally {
    db.close();
  }
}

async function postgresTables(url: string): Promise<Rows> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const names = (
      await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      )
    ).rows.map((r) => r.table_name);
    const rows: Rows = {};
    for (const name of names.sort()) {
      const columns = (
        await client.query(
          "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
          [name],
        )
      ).rows[0].n as number;
      const order = Array.from({ length: columns }, (_, i) => i + 1).join(', ');
      rows[name] = (await client.query(`SELECT * FROM "${name}" ORDER BY ${order}`)).rows;
    }
    return rows;
  } finally {
    await client.end();
  }
}

const tables = (backend: ServerBackend, url: string) =>
  backend.name === 'sqlite' ? Promise.resolve(sqliteTables(url.slice('sqlite:'.length))) : postgresTables(url);

/** Backends whose backup tools are here: SQLite always, PostgreSQL with pg_dump and pg_restore. */
const BACKENDS = SERVER_BACKENDS.filter(
  (b) =>
    b.name === 'sqlite' ||
    (HAS_POSTGRES &&
      findPgTool('pg_dump', process.env.PATH) !== undefined &&
      findPgTool('pg_restore', process.env.PATH) !== undefined),
);

afterAll(() => killAllChildren());

/** A server on a fresh database of `backend` per test, the SDK client, and a directory for backups. */
function useServer(backend: ServerBackend) {
  let server: TestServer;
  let client: SendblueAPI;
  let dir: ReturnType<typeof tempDir>;
  const disposals: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    dir = tempDir('tapback-backup-');
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual', TAPBACK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8' });
    client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url });
  });
  afterEach(async () => {
    await server.close();
    for (const dispose of disposals.splice(0)) await dispose();
    dir.cleanup();
  });

  /** A fresh database URL to restore into. */
  async function newTarget(): Promise<string> {
    if (backend.name === 'sqlite') return `sqlite:${dir.path}/restored.db`;
    const db = await createTestDatabase();
    disposals.push(() => db.dispose());
    return db.url;
  }

  const cli = (args: string[], databaseUrl: string) =>
    runCli(args, { DATABASE_URL: databaseUrl, TAPBACK_SECRET_KEY: TEST_SECRET_KEY }, { timeoutMs: 60_000 });

  async function traffic(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await client.messages.send({
        number: CONTACT,
        from_number: server.line,
        content: `hello ${i}`,
        status_callback: 'http://127.0.0.1:9/cb',
      });
    }
  }

  return {
    get client() {
      return client;
    },
    get server() {
      return server;
    },
    get dir() {
      return dir;
    },
    newTarget,
    cli,
    traffic,
  };
}

describe.each(BACKENDS)('tapback backup and restore ($name)', (backend) => {
  const f = useServer(backend);

  it('restores a backup taken while the server runs that equals the source, table by table and row by row', async () => {
    // A reader holding an old snapshot (a long report, say) keeps every later commit in SQLite's WAL,
    // out of the main file: a backup that copied the file would miss them all.
    const reader =
      backend.name === 'sqlite'
        ? new Database(f.server.databaseUrl.slice('sqlite:'.length), { readonly: true })
        : undefined;
    reader?.exec('BEGIN');
    reader?.prepare('SELECT count(*) FROM messages').get();
    await f.client.webhooks.create({ webhooks: ['http://127.0.0.1:9/receive'], type: 'receive' });
    await f.client.contacts.create({ number: CONTACT, first_name: 'Ada' });
    await f.traffic(20);
    // Sent, delivered, and their status callbacks attempted (and failed: nothing listens on port 9).
    await advanceClock(f.server, 1_000);
    await f.traffic(5);

    const file = `${f.dir.path}/tapback.backup`;
    const backup = await f.cli(['backup', file, '--json'], f.server.databaseUrl);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    reader?.exec('COMMIT');
    reader?.close();
    const source = await tables(backend, f.server.databaseUrl);

    const target = await f.newTarget();
    const restore = await f.cli(['restore', file, ...(backend.name === 'postgres' ? ['--force'] : [])], target);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    const restored = await tables(backend, target);
    expect(Object.keys(restored)).toEqual(Object.keys(source));
    for (const name of Object.keys(source))
      expect({ name, rows: restored[name] }).toEqual({ name, rows: source[name] });
    // Not a comparison of two empty databases.
    for (const name of [
      'messages',
      'jobs',
      'webhook_deliveries',
      'webhook_attempts',
      'webhook_endpoints',
      'contacts',
    ]) {
      expect({ name, rows: source[name]!.length > 0 }).toEqual({ name, rows: true });
    }
  }, 120_000);
});

describe('tapback backup and restore (sqlite)', () => {
  const f = useServer(sqliteServerBackend);

  it('takes a sound backup under concurrent sends: integrity, foreign keys, jobs and counters', async () => {
    // Sends keep coming, one after another, until the backup has finished.
    let backupDone = false;
    let sent = 0;
    const sending = (async () => {
      while (!backupDone) {
        await f.traffic(1);
        sent++;
      }
    })();
    while (sent < 5) await new Promise((resolve) => setTimeout(resolve, 10));
    const file = `${f.dir.path}/busy.backup`;
    const backup = await f.cli(['backup', file], f.server.databaseUrl);
    backupDone = true;
    await sending;
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain('integrity ok');

    const target = await f.newTarget();
    expect((await f.cli(['restore', file], target)).code).toBe(0);
    const db = new Database(target.slice('sqlite:'.length), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      // A snapshot from the middle of the traffic: some sends in it, later ones not.
      expect(n('SELECT count(*) AS n FROM messages')).toBeGreaterThanOrEqual(5);
      expect(n('SELECT count(*) AS n FROM messages')).toBeLessThan(sent);
      expect(
        n(
          "SELECT count(*) AS n FROM messages m WHERE status = 'QUEUED' AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.message_id = m.id)",
        ),
      ).toBe(0);
      const counted = db.prepare("SELECT account_id, n FROM message_counts WHERE dimension = 'all' ORDER BY 1").all();
      const rows = db.prepare('SELECT account_id, count(*) AS n FROM messages GROUP BY 1 ORDER BY 1').all();
      expect(counted).toEqual(rows);
    } finally {
      db.close();
    }
  }, 120_000);

  it('refuses to restore over a database in use, over an existing one without --force, or from a file that is not a Tapback backup', async () => {
    const file = `${f.dir.path}/tapback.backup`;
    expect((await f.cli(['backup', file], f.server.databaseUrl)).code).toBe(0);
    expect((await f.cli(['backup', file], f.server.databaseUrl)).stderr).toContain('already exists');

    const inUse = await f.cli(['restore', file, '--force'], f.server.databaseUrl);
    expect(inUse.code).toBe(2);
    expect(inUse.stderr).toContain('is in use');

    const target = await f.newTarget();
    expect((await f.cli(['restore', file], target)).code).toBe(0);
    const again = await f.cli(['restore', file], target);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('pass --force');
    expect((await f.cli(['restore', file, '--force'], target)).code).toBe(0);

    const junk = `${f.dir.path}/junk.db`;
    writeFileSync(junk, 'not a database');
    const notTapback = await f.cli(['restore', junk], `sqlite:${f.dir.path}/other.db`);
    expect(notTapback.code).toBe(2);
    expect(notTapback.stderr).toContain('nothing was restored');
    expect(existsSync(`${f.dir.path}/other.db`)).toBe(false);
  }, 120_000);
});
