import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import SendblueAPI, { AuthenticationError, BadRequestError, NotFoundError, PermissionDeniedError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT, type Tenant, addTenant, advanceClock } from './support/api-helpers.js';
import { HAS_POSTGRES, SERVER_BACKENDS } from './support/backends.js';
import { type TestDatabase, createTestDatabase } from './support/postgres.js';
import { tempDir } from './support/temp-dir.js';
import {
  TEST_KEY_ID,
  TEST_SECRET,
  type TestServer,
  startBackendServer,
  startTestServer,
} from './support/test-server.js';

/**
 * Temporary bearer tokens end to end through the official SDK: minted with the key pair
 * (`auth.tokens.create`), used through the SDK's `accessToken` mode, limited to phone numbers,
 * expired by the manual clock, revoked (`auth.tokens.revoke`), and refused at once by another
 * process sharing the database.
 */
const SECOND_LINE = '+15550001999';
const OTHER_LINE = '+15550007001';

function keyPairClient(server: TestServer, auth = { apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET }): SendblueAPI {
  return new SendblueAPI({ ...auth, baseURL: server.url, maxRetries: 0 });
}

function tokenClient(server: TestServer, accessToken: string): SendblueAPI {
  return new SendblueAPI({ accessToken, baseURL: server.url, maxRetries: 0 });
}

function tenantClient(server: TestServer, tenant: Tenant): SendblueAPI {
  return keyPairClient(server, {
    apiKey: tenant.auth['sb-api-key-id'] ?? '',
    apiSecret: tenant.auth['sb-api-secret-key'] ?? '',
  });
}

/** The stored auth_tokens rows, read behind the store's back. */
async function tokenRows(databaseUrl: string): Promise<Record<string, unknown>[]> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
    try {
      return db.prepare('SELECT * FROM auth_tokens').all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client(databaseUrl);
  await client.connect();
  try {
    return (await client.query('SELECT * FROM auth_tokens')).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

describe.each(SERVER_BACKENDS)('temporary bearer tokens through the official SDK ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;
  let other: Tenant;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    client = keyPairClient(server);
    const key = await server.server.store.findApiKey(TEST_KEY_ID);
    await server.server.store.addLine({
      accountId: key?.accountId ?? 0,
      number: SECOND_LINE,
      provider: 'sandbox',
      now: Date.now(),
    });
    other = await addTenant(server, 'other@example.com', OTHER_LINE);
  });
  afterAll(() => server.close());

  it('mints an account-wide token that sends and reads as the account, and stores only its digest', async () => {
    const now = server.server.clock.now();
    const minted = await client.auth.tokens.create();
    expect(minted).toMatchObject({ token_type: 'Bearer', phone_numbers: [] });
    expect(minted.token_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(minted.expires_at)).toBe(now + 900_000);

    const bearer = tokenClient(server, minted.token);
    const sent = await bearer.messages.send({ number: CONTACT, from_number: server.line, content: 'by token' });
    expect(sent).toMatchObject({ status: 'QUEUED', account_email: 'dev@tapback.local', content: 'by token' });
    const page = await bearer.messages.list({ limit: 5 });
    expect(page.data?.map((m) => m.message_handle)).toContain(sent.message_handle);

    const rows = await tokenRows(server.databaseUrl);
    const row = rows.find((r) => r.token_id === minted.token_id);
    expect(row?.token_digest).toBe(createHash('sha256').update(minted.token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(minted.token);
  });

  it('refuses a token from the moment it expires on the server clock', async () => {
    const minted = await client.auth.tokens.create({ expires_in_seconds: 60 });
    const bearer = tokenClient(server, minted.token);
    await advanceClock(server, 59_999);
    expect((await bearer.v2.seats.count()).count).toBeGreaterThanOrEqual(1);
    await advanceClock(server, 1);
    await expect(bearer.v2.seats.count()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('refuses a revoked token at once; revoking again is fine; unknown and other accounts’ tokens are 404', async () => {
    const minted = await client.auth.tokens.create({ expires_in_seconds: 3600 });
    const bearer = tokenClient(server, minted.token);
    await bearer.v2.seats.list();
    await client.auth.tokens.revoke(minted.token_id);
    await expect(bearer.v2.seats.list()).rejects.toBeInstanceOf(AuthenticationError);
    await client.auth.tokens.revoke(minted.token_id);
    await expect(client.auth.tokens.revoke('11111111-1111-4111-8111-111111111111')).rejects.toBeInstanceOf(
      NotFoundError,
    );

    const theirs = await tenantClient(server, other).auth.tokens.create();
    await expect(client.auth.tokens.revoke(theirs.token_id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await tokenClient(server, theirs.token).v2.seats.count()).toEqual({ count: 1 });
  });

  it('ends a token when the key pair that minted it is revoked', async () => {
    const pair = await addTenant(server, 'short-lived@example.com', '+15550007002');
    const minted = await tenantClient(server, pair).auth.tokens.create();
    const bearer = tokenClient(server, minted.token);
    await bearer.v2.seats.count();
    await server.server.store.revokeApiKey(pair.keyId, Date.now());
    await expect(bearer.v2.seats.count()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('rejects wrong, malformed and missing bearer tokens with the same 401', async () => {
    await expect(tokenClient(server, 'tbk_' + '0'.repeat(64)).v2.seats.list()).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    const res = await fetch(`${server.url}/api/v2/seats`, { headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 'ERROR', code: 'unauthorized' });
  });

  it('lets only key pairs mint and revoke tokens (403 for a bearer token)', async () => {
    const minted = await client.auth.tokens.create();
    const bearer = tokenClient(server, minted.token);
    await expect(bearer.auth.tokens.create()).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(bearer.auth.tokens.revoke(minted.token_id)).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('validates lifetime and phone scope as SDK errors naming the field', async () => {
    for (const body of [
      { expires_in_seconds: 59 },
      { expires_in_seconds: 3601 },
      { phone_number: server.line, phone_numbers: [server.line] },
      { phone_number: 'not a number' },
      { phone_numbers: [OTHER_LINE] },
    ]) {
      const error = await client.auth.tokens.create(body).catch((e: unknown) => e);
      expect(error, JSON.stringify(body)).toBeInstanceOf(BadRequestError);
      const field = Object.keys(body).at(-1) ?? '';
      expect(JSON.stringify((error as BadRequestError).error)).toContain(field);
    }
  });

  it('limits a phone-scoped token to its lines (403 elsewhere and for account-wide requests)', async () => {
    const minted = await client.auth.tokens.create({ phone_number: server.line });
    expect(minted.phone_numbers).toEqual([server.line]);
    const bearer = tokenClient(server, minted.token);
    const sent = await bearer.messages.send({ number: CONTACT, from_number: server.line, content: 'scoped' });
    expect(sent.status).toBe('QUEUED');
    const page = await bearer.messages.list({ sendblue_number: server.line, limit: 1 });
    expect(page.status).toBe('OK');
    await expect(
      bearer.messages.send({ number: CONTACT, from_number: SECOND_LINE, content: 'out of scope' }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(bearer.messages.list({ limit: 1 })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(bearer.lines.callForwarding.retrieve(SECOND_LINE)).rejects.toBeInstanceOf(PermissionDeniedError);
    expect((await bearer.lines.callForwarding.retrieve(server.line)).sendblue_number).toBe(server.line);

    const both = await client.auth.tokens.create({ phone_numbers: [server.line, SECOND_LINE, server.line] });
    expect(both.phone_numbers).toEqual([server.line, SECOND_LINE]);
  });
});

describe.runIf(HAS_POSTGRES)('a token revoked by one process (PostgreSQL)', () => {
  let db: TestDatabase;
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    first = await startTestServer({ DATABASE_URL: db.url });
    second = await startTestServer({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await db?.dispose();
  });

  it('is refused by every other process sharing the database from its next request', async () => {
    const minted = await keyPairClient(first).auth.tokens.create();
    const onSecond = tokenClient(second, minted.token);
    expect((await onSecond.v2.seats.count()).count).toBe(1);
    await keyPairClient(first).auth.tokens.revoke(minted.token_id);
    await expect(onSecond.v2.seats.count()).rejects.toBeInstanceOf(AuthenticationError);
  });
});

describe('a token revoked through another connection to the same SQLite file', () => {
  const dir = tempDir('tapback-tokens-');
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    const url = `sqlite:${dir.path}/tapback.db`;
    first = await startTestServer({ DATABASE_URL: url });
    second = await startTestServer({ DATABASE_URL: url });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    dir.cleanup();
  });

  it('is refused by the other connection from its next request, despite its lookup cache', async () => {
    const minted = await keyPairClient(first).auth.tokens.create();
    const onSecond = tokenClient(second, minted.token);
    // Twice: the second answer comes from the cache the revocation must invalidate.
    await onSecond.v2.seats.count();
    expect((await onSecond.v2.seats.count()).count).toBe(1);
    await keyPairClient(first).auth.tokens.revoke(minted.token_id);
    await expect(onSecond.v2.seats.count()).rejects.toBeInstanceOf(AuthenticationError);
  });
});
