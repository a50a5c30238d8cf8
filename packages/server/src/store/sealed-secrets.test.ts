import { readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HAS_POSTGRES } from '../../test/support/backends.js';
import { type TestDatabase, createTestSchema } from '../../test/support/postgres.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { newSecretKeyText } from '../lib/secret-cipher.js';
import { createPostgresStore } from './postgres/postgres-store.js';
import { createSqliteStore } from './sqlite/sqlite-store.js';
import { migrated } from './open-store.js';
import type { Store } from './store.js';

/**
 * Webhook signing secrets are stored sealed with the store's key (lib/secret-cipher.ts): what
 * the database holds, what a wrong key does, and how secrets stored in plaintext before are kept.
 */

interface Place {
  /** Opens and migrates the store with `secretKey` (SQLite: undefined means its key file). */
  open(secretKey: string | undefined): Promise<Store>;
  /** The signing_secret column, as stored. */
  stored(): Promise<string[]>;
  raw(sql: string): Promise<void>;
  dispose(): Promise<void>;
}

function sqlitePlace(): Place & { path: string } {
  const dir = tempDir('tapback-sealed-');
  const path = `${dir.path}/tapback.db`;
  const query = <T>(run: (db: Database.Database) => T): T => {
    const db = new Database(path);
    try {
      return run(db);
    } finally {
      db.close();
    }
  };
  return {
    path,
    open: (secretKey) => migrated(createSqliteStore(path, { secretKey })),
    stored: async () =>
      query(
        (db) => db.prepare('SELECT signing_secret FROM webhook_settings').all() as { signing_secret: string }[],
      ).map((r) => r.signing_secret),
    raw: async (sql) => query((db) => void db.exec(sql)),
    dispose: async () => dir.cleanup(),
  };
}

async function postgresPlace(): Promise<Place> {
  const db: TestDatabase = await createTestSchema();
  const query = async (sql: string) => {
    const client = new pg.Client(db.url);
    await client.connect();
    try {
      return (await client.query<{ signing_secret: string }>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    open: (secretKey) => migrated(createPostgresStore(db.url, { poolSize: 2, secretKey: secretKey ?? '' })),
    stored: async () => (await query('SELECT signing_secret FROM webhook_settings')).map((r) => r.signing_secret),
    raw: async (sql) => void (await query(sql)),
    dispose: () => db.dispose(),
  };
}

const PLACES: [string, () => Promise<Place>][] = [
  ['sqlite', async () => sqlitePlace()],
  ...(HAS_POSTGRES ? [['postgres', postgresPlace] as [string, () => Promise<Place>]] : []),
];

describe.each(PLACES)('sealed webhook signing secrets (%s)', (_name, makePlace) => {
  let place: Place;
  const key = newSecretKeyText();

  beforeEach(async () => {
    place = await makePlace();
  });
  afterEach(async () => {
    await place.dispose();
  });

  async function withStore<T>(secretKey: string | undefined, run: (store: Store) => Promise<T>): Promise<T> {
    const store = await place.open(secretKey);
    try {
      return await run(store);
    } finally {
      await store.close();
    }
  }

  it('stores the signing secret sealed, and reads it back open', async () => {
    const secret = await withStore(key, async (store) => {
      const a = await store.createAccount({ email: 'a@example.com', now: Date.now() });
      return (await store.getWebhookConfig(a.id, Date.now())).signingSecret;
    });
    expect(secret).toMatch(/^whsec_/);
    const [stored] = await place.stored();
    expect(stored).toMatch(/^tbx1:/);
    expect(stored).not.toContain('whsec_');
    expect(stored).not.toContain(secret.slice('whsec_'.length));
    expect(await withStore(key, async (store) => (await store.getWebhookConfig(1, Date.now())).signingSecret)).toBe(
      secret,
    );
  });

  it('refuses to open the store with another key, naming the setting', async () => {
    await withStore(key, async (store) => {
      const a = await store.createAccount({ email: 'a@example.com', now: Date.now() });
      await store.getWebhookConfig(a.id, Date.now());
    });
    await expect(place.open(newSecretKeyText())).rejects.toThrow(/TAPBACK_SECRET_KEY: .*not the key/);
  });

  it('seals a secret stored in plaintext before, at the next start, and keeps it', async () => {
    const legacy = 'whsec_bGVnYWN5LXNpZ25pbmctc2VjcmV0LWJ5dGVzLTAwMDAwMDAwMDA=';
    await withStore(key, async (store) => {
      await store.createAccount({ email: 'a@example.com', now: Date.now() });
    });
    await place.raw(
      `INSERT INTO webhook_settings (account_id, signing_secret, global_secret, updated_at) VALUES (1, '${legacy}', NULL, 0)`,
    );
    expect(await withStore(key, async (store) => (await store.getWebhookConfig(1, Date.now())).signingSecret)).toBe(
      legacy,
    );
    const [stored] = await place.stored();
    expect(stored).toMatch(/^tbx1:/);
  });
});

describe('the SQLite key file', () => {
  it('is created once, 0600, next to the database; the file holds no signing secret in plaintext', async () => {
    const place = sqlitePlace();
    try {
      const first = await place.open(undefined);
      const a = await first.createAccount({ email: 'a@example.com', now: Date.now() });
      const secret = (await first.getWebhookConfig(a.id, Date.now())).signingSecret;
      await first.close();
      const keyFile = `${place.path}.key`;
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const keyText = readFileSync(keyFile, 'utf8');
      // Reopened without a key: the same file serves, so the secret still opens.
      const again = await place.open(undefined);
      expect((await again.getWebhookConfig(a.id, Date.now())).signingSecret).toBe(secret);
      await again.close();
      expect(readFileSync(keyFile, 'utf8')).toBe(keyText);
      const bytes = readFileSync(place.path).toString('latin1');
      expect(bytes).not.toContain('whsec_');
      expect(bytes).not.toContain(secret.slice('whsec_'.length));
    } finally {
      await place.dispose();
    }
  });
});
