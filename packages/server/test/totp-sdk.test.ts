import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { Secret, TOTP } from 'otpauth';
import pg from 'pg';
import SendblueAPI, { BadRequestError, NotFoundError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTenant, advanceClock, inject } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * TOTP secrets end to end through the official SDK's `v2.totp`: the code is otpauth's own for the
 * same secret at the server's (manual) time, the secret is shown once and stored sealed, and
 * another account's secrets do not exist for it.
 */
const GITHUB = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

function sdk(server: TestServer, auth = { apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET }): SendblueAPI {
  return new SendblueAPI({ ...auth, baseURL: server.url, maxRetries: 0 });
}

/** The server's manual clock. */
async function serverNow(server: TestServer): Promise<number> {
  const res = await inject(server, { method: 'GET', url: '/sandbox/clock', headers: server.auth });
  expect(res.statusCode, res.body).toBe(200);
  return Date.parse((res.json() as { now: string }).now);
}

/** Every value of the TOTP secret column, as the database holds it. */
async function storedSecrets(server: TestServer): Promise<string[]> {
  if (server.databaseUrl.startsWith('sqlite:')) {
    const db = new Database(server.databaseUrl.slice('sqlite:'.length), { readonly: true });
    try {
      return (db.prepare('SELECT secret FROM totp_secrets').all() as { secret: string }[]).map((r) => r.secret);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client(server.databaseUrl);
  await client.connect();
  try {
    return (await client.query<{ secret: string }>('SELECT secret FROM totp_secrets')).rows.map((r) => r.secret);
  } finally {
    await client.end();
  }
}

describe.each(SERVER_BACKENDS)('TOTP through the official SDK ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;

  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    client = sdk(server);
  });
  afterAll(() => server.close());

  it('gives the RFC 6238 code otpauth computes for the same secret at the server’s time, as time moves', async () => {
    const created = await client.v2.totp.secrets.create({
      secret: GITHUB.toLowerCase(),
      label: 'GitHub - agent@example.com',
      issuer: 'GitHub',
      algorithm: 'SHA256',
      digits: 8,
      period: 60,
    });
    const s = created.totp_secret;
    expect(s).toMatchObject({ label: 'GitHub - agent@example.com', issuer: 'GitHub', digits: 8, period: 60 });
    expect(s?.secret).toBe(GITHUB);
    const reference = new TOTP({ secret: Secret.fromBase32(GITHUB), algorithm: 'SHA256', digits: 8, period: 60 });
    for (const step of [0, 60_000, 61_000]) {
      await advanceClock(server, step);
      const now = await serverNow(server);
      const code = await client.v2.totp.getCode(s?.id ?? '');
      expect(code).toEqual({
        status: 'OK',
        code: reference.generate({ timestamp: now }),
        expires_in: 60 - (Math.floor(now / 1000) % 60),
      });
    }
  });

  it('reads every field from an otpauth:// URI, and generates a secret when none is given', async () => {
    const uri = `otpauth://totp/ACME:alice@example.com?secret=${GITHUB}&issuer=ACME&algorithm=SHA1&digits=6&period=30`;
    const fromUri = (await client.v2.totp.secrets.create({ uri, label: 'ignored', digits: 8 })).totp_secret;
    expect(fromUri).toMatchObject({ label: 'alice@example.com', issuer: 'ACME', algorithm: 'SHA1', digits: 6 });
    const generated = (await client.v2.totp.secrets.create({ label: 'generated' })).totp_secret;
    expect(generated?.secret).toMatch(/^[A-Z2-7]{32}$/);
    const now = await serverNow(server);
    const expected = new TOTP({ secret: Secret.fromBase32(generated?.secret ?? '') }).generate({ timestamp: now });
    expect((await client.v2.totp.getCode(generated?.id ?? '')).code).toBe(expected);
  });

  it('lists secrets without their secret, and deletes them', async () => {
    const s = (await client.v2.totp.secrets.create({ label: 'to delete', secret: GITHUB })).totp_secret;
    const listed = await client.v2.totp.secrets.list();
    const entry = listed.totp_secrets?.find((x) => x.id === s?.id);
    expect(entry).toMatchObject({ label: 'to delete', algorithm: 'SHA1', digits: 6, period: 30 });
    expect(listed.totp_secrets?.every((x) => x.secret === undefined)).toBe(true);
    expect(await client.v2.totp.secrets.delete(s?.id ?? '')).toEqual({ status: 'OK' });
    await expect(client.v2.totp.secrets.delete(s?.id ?? '')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.v2.totp.getCode(s?.id ?? '')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers invalid secrets with the SDK’s BadRequestError, naming the field', async () => {
    const bad = async (body: SendblueAPI.V2.Totp.SecretCreateParams, field: string) => {
      const error = await client.v2.totp.secrets.create(body).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).message).toContain(field);
    };
    await bad({ secret: GITHUB }, 'label');
    await bad({ label: 'x', secret: 'not base32!' }, 'secret');
    await bad({ label: 'x', secret: 'JBSWY3DP' }, 'secret');
    await bad({ label: 'x', digits: 7 as 6 }, 'digits');
    await bad({ label: 'x', period: 5 }, 'period');
    await bad({ uri: 'otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1' }, 'uri');
    await bad({ uri: 'https://example.com' }, 'uri');
  });

  it('stores the secret sealed: the database never holds it in plain text', async () => {
    const s = (await client.v2.totp.secrets.create({ label: 'at rest', secret: GITHUB })).totp_secret;
    const stored = await storedSecrets(server);
    expect(stored.length).toBeGreaterThan(0);
    for (const value of stored) {
      expect(value).toMatch(/^tbx1:/);
      expect(value).not.toContain(GITHUB);
    }
    if (server.databaseUrl.startsWith('sqlite:')) {
      const path = server.databaseUrl.slice('sqlite:'.length);
      const raw = [path, `${path}-wal`].map((f) => {
        try {
          return readFileSync(f).toString('latin1');
        } catch {
          return '';
        }
      });
      expect(raw.join('')).not.toContain(GITHUB);
    }
    expect((await client.v2.totp.getCode(s?.id ?? '')).code).toMatch(/^\d{6}$/);
  });

  it('shows another account none of the secrets', async () => {
    const s = (await client.v2.totp.secrets.create({ label: 'mine', secret: GITHUB })).totp_secret;
    const other = await addTenant(server, 'totp-other@example.com', '+15550009002');
    const otherClient = sdk(server, {
      apiKey: other.auth['sb-api-key-id'] ?? '',
      apiSecret: other.auth['sb-api-secret-key'] ?? '',
    });
    await expect(otherClient.v2.totp.getCode(s?.id ?? '')).rejects.toBeInstanceOf(NotFoundError);
    await expect(otherClient.v2.totp.secrets.delete(s?.id ?? '')).rejects.toBeInstanceOf(NotFoundError);
    expect((await otherClient.v2.totp.secrets.list()).totp_secrets).toEqual([]);
    expect((await client.v2.totp.getCode(s?.id ?? '')).status).toBe('OK');
  });
});
