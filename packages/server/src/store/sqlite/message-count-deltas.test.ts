import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageDraft } from '../../../test/support/message-draft.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { RECOUNT_MESSAGES_SQL } from './message-count-deltas.js';
import { type SqliteStore, createSqliteStore } from './sqlite-store.js';

const LINE = '+15550001000';
const CONTACT = '+19998887777';
const T0 = Date.UTC(2030, 0, 1);

/**
 * The counters the store sums per transaction and the recount from the rows (used for files filled
 * behind the store's back) must agree, row for row.
 */
describe('SQLite message counters: summed per transaction = recounted from the rows', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteStore;

  beforeEach(async () => {
    dir = tempDir('tapback-counts-');
    store = createSqliteStore(`${dir.path}/tapback.db`);
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  it('agree after sends, a self-addressed one, a group message, a declined one and status changes', async () => {
    const a = await store.createAccount({ email: 'a@example.com', now: Date.now() });
    const b = await store.createAccount({ email: 'b@example.com', now: Date.now() });
    const drafts = [
      messageDraft(a, LINE, CONTACT, { createdAt: T0 }),
      messageDraft(a, LINE, LINE, { createdAt: T0 }),
      messageDraft(a, LINE, CONTACT, { createdAt: T0, groupId: 'g-1', number: '', participants: [CONTACT, LINE] }),
      messageDraft(a, LINE, CONTACT, { createdAt: T0, status: 'DECLINED' }),
      messageDraft(b, LINE, CONTACT, { createdAt: T0, isOutbound: false, status: 'RECEIVED' }),
    ];
    await Promise.all(drafts.map((message) => store.acceptOutbound({ message, queueLimit: 100 })));
    const claimed = await store.claimJobs({ now: T0, limit: 10, leaseUntil: T0 + 1000, workerId: 'w' });
    expect(claimed.length).toBe(3);
    await store.finishJobs(
      claimed.map((c, i) => ({
        kind: 'done' as const,
        jobId: c.job.id,
        messageId: c.message.id,
        patches:
          i === 0 ? [{ status: 'SENT' as const }, { status: 'DELIVERED' as const }] : [{ status: 'ERROR' as const }],
        schedule: [],
      })),
      T0,
    );
    const db = new Database(`${dir.path}/tapback.db`);
    try {
      const read = () => db.prepare('SELECT * FROM message_counts WHERE n != 0 ORDER BY 1, 2, 3').all();
      const summed = read();
      expect(summed.length).toBeGreaterThan(10);
      db.exec(RECOUNT_MESSAGES_SQL);
      expect(read()).toEqual(summed);
    } finally {
      db.close();
    }
  });
});
