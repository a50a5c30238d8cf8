import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { MessageQuery } from '../src/domain/message-query.js';
import type { Store } from '../src/store/store.js';
import { HAS_POSTGRES } from './support/backends.js';
import { killAllChildren, runCli } from './support/cli-process.js';
import { messageDraft } from './support/message-draft.js';
import { type TestDatabase, createTestDatabase } from './support/postgres.js';
import { tempDir } from './support/temp-dir.js';

/** `tapback migrate-db`: a SQLite history copied into PostgreSQL reads back identically. */

const LINE = '+15550001000';
const ALL: MessageQuery = { limit: 1000, offset: 0, orderBy: 'createdAt', orderDirection: 'asc' };

async function snapshot(store: Store) {
  const accounts = await store.listAccounts();
  return {
    accounts,
    keys: await store.listApiKeys(),
    lines: await store.listLines(),
    messages: await Promise.all(accounts.map((a) => store.listMessages(a.id, ALL))),
    jobs: await store.countJobs(),
    nextJobAt: await store.nextJobAt(),
    webhooks: await Promise.all(accounts.map((a) => store.getWebhookConfig(a.id, Date.now()))),
    deliveries: await Promise.all(accounts.map((a) => store.listWebhookDeliveries(a.id, { limit: 100, offset: 0 }))),
  };
}

describe.skipIf(!HAS_POSTGRES)('tapback migrate-db', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: TestDatabase;

  beforeEach(async () => {
    dir = tempDir('tapback-migrate-');
    db = await createTestDatabase();
  });

  afterEach(async () => {
    await db.dispose();
    dir.cleanup();
  });

  afterAll(killAllChildren);

  it('copies every table, ids and all, and the copy keeps working', async () => {
    const file = `${dir.path}/tapback.db`;
    const sqlite = createSqliteStore(file);
    await sqlite.migrate();
    const a = await sqlite.createAccount({ email: 'a@example.com', now: Date.now() });
    const b = await sqlite.createAccount({ email: 'b@example.com', plan: 'blue', now: Date.now() });
    await sqlite.createApiKey({
      accountId: a.id,
      keyId: 'key-a-0001',
      secretDigest: 'digest',
      label: 'ci',
      now: Date.now(),
    });
    await sqlite.revokeApiKey('key-a-0001', Date.now());
    await sqlite.addLine({ accountId: a.id, number: LINE, provider: 'sandbox', now: Date.now() });
    await sqlite.updateWebhookConfig(
      a.id,
      {
        mode: 'append',
        endpoints: [{ type: 'outbound', url: 'https://example.com/hook', secret: 's', sendblueNumbers: [LINE] }],
        globalSecret: 'global',
      },
      Date.now(),
    );
    const t = Date.UTC(2030, 0, 1);
    await sqlite.acceptOutbound({
      message: messageDraft(a, LINE, '+19998887777', {
        createdAt: t,
        participants: ['+19998887777'],
        providerMessageId: 'net-0001',
      }),
      queueLimit: 100,
      idempotency: { key: 'k1', requestHash: 'h', responseBody: '{}' },
    });
    const sent = await sqlite.acceptOutbound({
      message: messageDraft(a, LINE, '+19998886666', { createdAt: t + 1, statusCallback: 'https://example.com/cb' }),
      queueLimit: 100,
    });
    await sqlite.acceptOutbound({
      message: messageDraft(b, LINE, '+19998885555', { createdAt: t + 2 }),
      queueLimit: 100,
    });
    const claimed = await sqlite.claimJobs({ now: t + 10, limit: 10, leaseUntil: t + 1000, workerId: 'w' });
    const job = claimed.find((c) => sent.kind === 'accepted' && c.message.id === sent.message.id);
    await sqlite.finishJobs(
      [
        {
          kind: 'done',
          jobId: job!.job.id,
          messageId: job!.message.id,
          patches: [{ status: 'SENT', wasDowngraded: true }],
          schedule: [],
        },
      ],
      t + 20,
    );
    const before = await snapshot(sqlite);
    await sqlite.close();

    const run = await runCli(['migrate-db', '--from', `sqlite:${file}`, '--to', db.url, '--json'], {});
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ copied: { accounts: 2, messages: 3, jobs: 2, lines: 1 } });

    // The copy's secrets are sealed with the SQLite database's key, created next to it.
    const pg = createPostgresStore(db.url, { secretKey: readFileSync(`${file}.key`, 'utf8') });
    try {
      await pg.migrate();
      expect(await snapshot(pg)).toEqual(before);
      expect(before.deliveries[0]?.total).toBeGreaterThan(0);
      // Sequences moved past the copied ids: new rows do not collide.
      const c = await pg.createAccount({ email: 'c@example.com', now: Date.now() });
      expect(c.id).toBe(3);
      const again = await pg.acceptOutbound({
        message: messageDraft(a, LINE, '+19998887777'),
        queueLimit: 100,
        idempotency: { key: 'k1', requestHash: 'h2', responseBody: '{"x":1}' },
      });
      expect(again).toEqual({ kind: 'replay', requestHash: 'h', responseBody: '{}' });
    } finally {
      await pg.close();
    }

    // A second copy into the now non-empty database changes nothing and says why.
    const second = await runCli(['migrate-db', '--from', `sqlite:${file}`, '--to', db.url], {});
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/nothing was copied: table accounts is not empty/);
  });

  it('refuses URLs of the wrong kind', async () => {
    const r = await runCli(['migrate-db', '--from', db.url, '--to', `sqlite:${dir.path}/x.db`], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from must be a sqlite: URL/);
  });
});
