import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { InjectOptions } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyPair } from '../accounts/credentials.js';
import { CONTACT, type Tenant, addTenant, expectError, inject, messageCount } from '../../test/support/api-helpers.js';
import { SERVER_BACKENDS } from '../../test/support/backends.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from '../../test/support/test-server.js';

/** Every way of presenting bad credentials gets one identical 401 on every authenticated route. */
describe.each(SERVER_BACKENDS)('authentication ($name)', (backend) => {
  let server: TestServer;
  let other: Tenant;
  let revoked: { keyId: string; secret: string };
  let reference: string;

  const routes = (headers: Record<string, string>): InjectOptions[] => [
    {
      method: 'POST',
      url: '/api/send-message',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ number: CONTACT, from_number: '+15550001000', content: 'hi' }),
    },
    { method: 'GET', url: '/api/status?handle=anything', headers },
    { method: 'GET', url: '/api/v2/messages', headers },
    { method: 'GET', url: '/api/v2/messages/anything', headers },
    {
      method: 'POST',
      url: '/sandbox/clock/advance',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{"ms":1}',
    },
  ];

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    other = await addTenant(server, 'other@example.com', '+15550002000');
    const key = await createKeyPair(server.server.store, other.accountId, Date.now());
    await server.server.store.revokeApiKey(key.key.keyId, Date.now());
    revoked = { keyId: key.key.keyId, secret: key.secret };
    const res = await inject(server, { method: 'GET', url: '/api/v2/messages' });
    expectError(res, 401, 'unauthorized');
    reference = res.body;
  });
  afterAll(() => server.close());

  const keyId = (id: string) => ({ 'sb-api-key-id': id });
  const secret = (s: string) => ({ 'sb-api-secret-key': s });

  const CASES: [string, () => Record<string, string>][] = [
    ['no credentials', () => ({})],
    ['only a key id', () => keyId(TEST_KEY_ID)],
    ['only a secret', () => secret(TEST_SECRET)],
    ['empty key id and secret', () => ({ ...keyId(''), ...secret('') })],
    ['an empty secret', () => ({ ...keyId(TEST_KEY_ID), ...secret('') })],
    ['a wrong secret', () => ({ ...keyId(TEST_KEY_ID), ...secret('wrong-secret-0000000000') })],
    ['the secret with different case', () => ({ ...keyId(TEST_KEY_ID), ...secret(TEST_SECRET.toUpperCase()) })],
    ['the secret with a trailing character', () => ({ ...keyId(TEST_KEY_ID), ...secret(`${TEST_SECRET}x`) })],
    ['an unknown key id', () => ({ ...keyId('no-such-key-id-000'), ...secret(TEST_SECRET) })],
    ["another account's key id with this secret", () => ({ ...keyId(other.keyId), ...secret(TEST_SECRET) })],
    [
      "this key id with another account's secret",
      () => ({ ...keyId(TEST_KEY_ID), ...secret(other.auth['sb-api-secret-key'] ?? '') }),
    ],
    ['a revoked key with its right secret', () => ({ ...keyId(revoked.keyId), ...secret(revoked.secret) })],
    ['a 10 kB secret', () => ({ ...keyId(TEST_KEY_ID), ...secret('s'.repeat(10_240)) })],
    ['a 10 kB key id', () => ({ ...keyId('k'.repeat(10_240)), ...secret(TEST_SECRET) })],
    ['a non-ASCII secret', () => ({ ...keyId(TEST_KEY_ID), ...secret('sécret-ünïcödé-✓-秘密') })],
    ['a non-ASCII key id', () => ({ ...keyId('clé-✓-秘密'), ...secret(TEST_SECRET) })],
    ['a Bearer token instead of a key pair', () => ({ authorization: `Bearer ${TEST_SECRET}` })],
  ];

  it.each(CASES)('answers %s with the one 401 body on every route', async (_name, headers) => {
    for (const route of routes(headers())) {
      const res = await inject(server, route);
      expectError(res, 401, 'unauthorized');
      expect(res.body).toBe(reference);
    }
  });

  it.each([0, 1, 15, 16, 64, 511, 512, 513, 1024, 10_240])(
    'answers a %i-character wrong secret with the one 401 body',
    async (length) => {
      const res = await inject(server, {
        method: 'GET',
        url: '/api/v2/messages',
        headers: { ...keyId(TEST_KEY_ID), ...secret('x'.repeat(length)) },
      });
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe(reference);
    },
  );

  it('checks credentials before the body, and stores nothing for an unauthenticated send', async () => {
    const before = await messageCount(server, server.auth);
    const res = await inject(server, {
      method: 'POST',
      url: '/api/send-message',
      headers: { 'content-type': 'application/json', ...keyId(TEST_KEY_ID), ...secret('wrong-secret-0000000000') },
      payload: '{"not json',
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe(reference);
    expect(await messageCount(server, server.auth)).toBe(before);
  });

  it('accepts the right key pair whatever the header names’ case', async () => {
    const res = await inject(server, {
      method: 'GET',
      url: '/api/v2/messages',
      headers: { 'SB-API-KEY-ID': TEST_KEY_ID, 'SB-API-SECRET-KEY': TEST_SECRET },
    });
    expect(res.statusCode).toBe(200);
  });

  it('serves /openapi.json and /healthz without credentials', async () => {
    expect((await inject(server, { method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
    expect((await inject(server, { method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  /** Every byte the backend keeps: SQLite's files, or every row of every table of the database. */
  async function storedData(): Promise<Buffer[]> {
    if (backend.name === 'sqlite') {
      const dir = dirname(server.databaseUrl.slice('sqlite:'.length));
      return readdirSync(dir).map((name) => readFileSync(`${dir}/${name}`));
    }
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      const tables = await client.query<{ t: string }>(
        `SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables
          WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
      );
      const rows: Buffer[] = [];
      for (const { t } of tables.rows) {
        const r = await client.query<{ row: string }>(`SELECT x::text AS row FROM ${t} x`);
        rows.push(...r.rows.map((x) => Buffer.from(x.row)));
      }
      return rows;
    } finally {
      await client.end();
    }
  }

  it('keeps no plaintext secret in the database', async () => {
    const stored = await storedData();
    expect(stored.length).toBeGreaterThan(0);
    // The keys themselves are there: the search reads where they are kept.
    expect(stored.some((b) => b.includes(TEST_KEY_ID))).toBe(true);
    for (const plaintext of [TEST_SECRET, other.auth['sb-api-secret-key'] ?? '', revoked.secret]) {
      expect(plaintext.length).toBeGreaterThan(0);
      for (const data of stored) expect(data.includes(plaintext)).toBe(false);
    }
  });
});
