import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Readiness, notReadyReasons } from '../src/api/readiness.js';
import { sqlitePath } from '../src/config/config.js';
import { migrationsApplied, shippedMigrationLevel } from '../src/store/shipped-migrations.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { type TestServer, startBackendServer } from './support/test-server.js';

/** Runs `sql` on the server's database behind its back. */
async function runSql(server: TestServer, sql: string): Promise<void> {
  if (server.databaseUrl.startsWith('sqlite:')) {
    const db = new Database(sqlitePath(server.databaseUrl));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client(server.databaseUrl);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe.each(SERVER_BACKENDS)('/readyz ($name)', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startBackendServer(backend);
  });
  afterAll(() => server.close());

  it('is ready with the database answering, every migration applied and the providers loaded', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ready',
      database: 'ok',
      migrations: 'ok',
      providers: 'loaded',
      shutting_down: false,
    });
    expect(body).not.toHaveProperty('reasons');
  });

  it('is not ready while the database lacks a migration this build ships', async () => {
    const newest = Number(shippedMigrationLevel().slice(0, 4));
    await runSql(server, `DELETE FROM schema_migrations WHERE version = ${newest}`);
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'not_ready',
      reasons: ['migrations_pending'],
      migrations: 'pending',
      database: 'ok',
    });
  });

  it('is not ready from the start of a graceful shutdown', async () => {
    const other = await startBackendServer(backend);
    const closing = other.close();
    try {
      const res = await other.server.app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'not_ready', shutting_down: true });
      expect(res.json().reasons).toContain('shutting_down');
    } finally {
      await closing;
    }
  });
});

describe('readiness reasons', () => {
  const ready: Readiness = {
    database: 'ok',
    migrations: 'ok',
    providers: 'loaded',
    shutting_down: false,
    lines: { online: 1, degraded: 0, offline: 0, unknown: 0 },
  };

  it('names every reason a process is not ready, and none when it is', () => {
    expect(notReadyReasons(ready)).toEqual([]);
    expect(notReadyReasons({ ...ready, providers: 'not_run', lines: { ...ready.lines, offline: 3 } })).toEqual([]);
    expect(notReadyReasons({ ...ready, providers: 'loading' })).toEqual(['providers_loading']);
    expect(notReadyReasons({ ...ready, database: 'unreachable', migrations: 'unknown', shutting_down: true })).toEqual([
      'shutting_down',
      'database_unreachable',
    ]);
  });

  it('counts a database migrated by a newer build as migrated', () => {
    expect(migrationsApplied('0013_tokens_seats_location', '0013_tokens_seats_location')).toBe(true);
    expect(migrationsApplied('0014_later', '0013_tokens_seats_location')).toBe(true);
    expect(migrationsApplied('0012_verify_and_totp', '0013_tokens_seats_location')).toBe(false);
    expect(migrationsApplied('', '0013_tokens_seats_location')).toBe(false);
  });
});
