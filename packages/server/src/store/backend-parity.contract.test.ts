import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackendInstance, STORE_BACKENDS } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import type { Account } from '../domain/account.js';
import type { Message } from '../domain/message.js';

/**
 * Behaviours in which the two backends once drifted apart, pinned on every backend: the schema
 * level, a list page and its total read from one snapshot, and jobs whose message is gone.
 */

const LINE = '+15550001000';
const CONTACT = '+19998887777';
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

const migrationsOf = (dialect: string) =>
  readdirSync(new URL(`./${dialect}/migrations/`, import.meta.url))
    .filter((f) => f.endsWith('.sql'))
    .sort();

describe('migrations', () => {
  it('are the same files, name for name, in both dialects', () => {
    expect(migrationsOf('postgres')).toEqual(migrationsOf('sqlite'));
  });
});

describe.each(STORE_BACKENDS)('backend parity ($name)', (backend) => {
  let instance: BackendInstance;
  let account: Account;

  beforeEach(async () => {
    instance = await backend.create();
    account = await instance.store.createAccount({ email: 'parity@example.com', now: T0 });
    await instance.store.addLine({ accountId: account.id, number: LINE, provider: 'sandbox', now: T0 });
  });

  afterEach(async () => {
    await instance.dispose();
  });

  async function accept(createdAt = T0): Promise<Message> {
    const r = await instance.store.acceptOutbound({
      message: messageDraft(account, LINE, CONTACT, { createdAt }),
      queueLimit: 1_000_000,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    return r.message;
  }

  it('is migrated to the newest migration of its dialect, the same level on every backend', async () => {
    const newest = migrationsOf('sqlite')
      .at(-1)
      ?.replace(/\.sql$/, '');
    expect(await instance.store.migrationLevel()).toBe(newest);
  });

  it('reads a list page and its total from one snapshot while messages are being stored', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => accept(T0 + i)));
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 2_000; i++) await Promise.all([accept(T0 + 100 + i), accept(T0 + 100 + i)]);
    })();
    const mismatches: string[] = [];
    try {
      for (let round = 0; round < 150; round++) {
        const lists = await Promise.all(
          [undefined, CONTACT].map((number) =>
            instance.store.listMessages(account.id, {
              limit: 100_000,
              offset: 0,
              orderBy: 'createdAt',
              orderDirection: 'desc',
              ...(number === undefined ? {} : { number }),
            }),
          ),
        );
        for (const { messages, total } of lists) {
          if (messages.length !== total) mismatches.push(`${messages.length} rows, total ${total}`);
        }
      }
    } finally {
      writing = false;
      await writer;
    }
    expect(mismatches).toEqual([]);
  });

  it('records the outcome of a job whose message is gone as nothing but the job removed', async () => {
    const message = await accept();
    const [claimed] = await instance.store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
    expect(claimed?.message.id).toBe(message.id);
    await instance.unchecked(`DELETE FROM messages WHERE id = ${message.id}`);
    const changes = await instance.store.finishJobs(
      [
        {
          kind: 'done',
          jobId: claimed!.job.id,
          attempt: claimed!.job.attempts,
          messageId: message.id,
          patches: [{ status: 'SENT' }],
          schedule: [{ runAt: T0 + 10, patch: { status: 'DELIVERED' }, then: [] }],
        },
      ],
      T0 + 1,
    );
    expect(changes).toEqual([]);
    expect(await instance.store.countJobs()).toBe(0);
  });

  it('never hands out a job whose message is gone, and removes it', async () => {
    const gone = await accept();
    const kept = await accept(T0 + 1);
    await instance.unchecked(`DELETE FROM messages WHERE id = ${gone.id}`);
    const claimed = await instance.store.claimJobs({ now: T0 + 5, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
    expect(claimed.map((c) => c.message.id)).toEqual([kept.id]);
    expect(await instance.store.countJobs()).toBe(1);
  });
});
