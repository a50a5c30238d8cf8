import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../../domain/account.js';
import type { Message, NewMessage } from '../../domain/message.js';
import { inboundDraft } from '../../messaging/message-drafts.js';
import { twoAccounts } from '../../../test/support/backends.js';
import { messageDraft } from '../../../test/support/message-draft.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { CATCH_UP_INBOX_SQL, InboxProjections } from './inbox-projections.js';
import { INSERT_MESSAGE_SQL, UPDATE_STATUS_SQL, messageParams, statusParams } from './message-row.js';
import { prepare } from './prepared.js';
import { type SqliteStore, createSqliteStore } from './sqlite-store.js';

/**
 * On SQLite the store writes conversations, the search index and the status history itself
 * (migration 0025 dropped the insert and status triggers): after every kind of write, each must be
 * exactly what the messages' rows say, as the triggers kept it. The read side's own behaviour is
 * covered on both backends by the conversations, message-search and message-timeline contracts.
 */

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const LINE = '+15550001000';
const ALICE = '+19998887777';
const BOB = '+19998886666';
const CAROL = '+19998885555';

/** Each conversation's newest message, (created_at, id) greatest, from the rows themselves. */
const DERIVED_CONVERSATIONS = `SELECT account_id, sendblue_number AS line, group_id, peer AS number,
    id AS last_message_id, created_at AS last_message_at, service FROM (
  SELECT *, CASE WHEN group_id = '' THEN number ELSE '' END AS peer,
         row_number() OVER (PARTITION BY account_id, sendblue_number, group_id,
                                         CASE WHEN group_id = '' THEN number ELSE '' END
                            ORDER BY created_at DESC, id DESC) AS rank
    FROM messages) WHERE rank = 1 ORDER BY account_id, line, group_id, number`;

const STORED_CONVERSATIONS = `SELECT account_id, line, group_id, number, last_message_id, last_message_at, service
  FROM conversations ORDER BY account_id, line, group_id, number`;

describe('SQLite inbox projections (conversations, search index, status history)', () => {
  let dir: ReturnType<typeof tempDir>;
  let path: string;
  let store: SqliteStore;
  let a: Account;

  beforeEach(async () => {
    dir = tempDir('tapback-inbox-projections-');
    path = `${dir.path}/tapback.db`;
    store = createSqliteStore(path);
    await store.migrate();
    ({ a } = await twoAccounts(store, { a: [LINE], b: ['+15550002000'] }));
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  /** A second connection, as any reader of the file: sees what the store committed. */
  function read<T>(f: (db: Database.Database) => T): T {
    const db = new Database(path);
    try {
      return f(db);
    } finally {
      db.close();
    }
  }

  async function send(to: string, at: number, overrides: Partial<NewMessage> = {}): Promise<Message> {
    const r = await store.acceptOutbound({
      message: messageDraft(a, LINE, to, { createdAt: at, content: `note ${at} to ${to}`, ...overrides }),
      queueLimit: 1_000_000,
    });
    if (r.kind !== 'accepted') throw new Error(r.kind);
    return r.message;
  }

  /** Conversations as the rows say, the index against the rows, every message's history ending at its row. */
  function expectExact(): void {
    read((db) => {
      expect(db.prepare(STORED_CONVERSATIONS).all()).toEqual(db.prepare(DERIVED_CONVERSATIONS).all());
      // With a rank of 1, the check compares the index with the content table (the messages).
      expect(() =>
        db.prepare(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)`).run(),
      ).not.toThrow();
      const stale = db
        .prepare(
          `SELECT m.id FROM messages m
            WHERE NOT EXISTS (SELECT 1 FROM message_status_history h
                               WHERE h.id = (SELECT max(id) FROM message_status_history WHERE message_id = m.id)
                                 AND h.status = m.status AND h.at = m.updated_at
                                 AND h.error_code IS m.error_code AND h.error_message IS m.error_message)`,
        )
        .all();
      expect(stale).toEqual([]);
    });
  }

  const history = (id: number): string[] =>
    read((db) =>
      (
        db.prepare('SELECT status FROM message_status_history WHERE message_id = ? ORDER BY id').all(id) as {
          status: string;
        }[]
      ).map((r) => r.status),
    );

  it('stays exact through a burst of sends in one commit, inbound messages, status changes and deletes', async () => {
    // One event-loop turn, one transaction: ties on created_at are broken by row, as the triggers did.
    const burst = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => send(ALICE, T0 + (i % 7))),
      ...Array.from({ length: 5 }, (_, i) => send(BOB, T0 + i)),
      ...Array.from({ length: 3 }, (_, i) =>
        send('', T0 + i, { groupId: 'group-1', number: '', participants: [ALICE, BOB] }),
      ),
    ]);
    // Older than the conversation's newest: stored, but the conversation stays where it is.
    await Promise.all([send(ALICE, T0 - 100), send(BOB, T0 - 100)]);
    const owner = { accountId: a.id, email: a.email, plan: a.plan };
    await store.acceptInbound({
      message: inboundDraft(owner, {
        from: CAROL,
        line: LINE,
        content: 'hi there',
        mediaUrl: '',
        service: 'iMessage',
        now: T0 + 50,
      }),
      keyword: null,
    });
    expectExact();

    // Every job finished in one batch, a third of them delivered by SMS, the newest to ALICE among them.
    const claims = await store.claimJobs({ now: T0 + 60, limit: 100, leaseUntil: T0 + 10_000, workerId: 'w' });
    expect(claims).toHaveLength(40);
    await store.finishJobs(
      claims.map((c, i) => ({
        kind: 'done' as const,
        jobId: c.job.id,
        attempt: c.job.attempts,
        messageId: c.message.id,
        patches: [
          { status: 'DELIVERED' as const, service: i % 3 === 0 || c.message.id === burst[27]!.id ? 'SMS' : 'iMessage' },
        ],
        schedule: [],
      })),
      T0 + 61,
    );
    expectExact();
    expect(history(burst[0]!.id)).toEqual(['QUEUED', 'DELIVERED']);
    const alice = () =>
      read((db) => db.prepare('SELECT last_message_id AS id, service FROM conversations WHERE number = ?').get(ALICE));
    // The newest of the ties at T0 + 6 is the last stored.
    expect(alice()).toEqual({ id: burst[27]!.id, service: 'SMS' });

    // Deletes keep their triggers: the conversation moves to the newest message left.
    read((db) => db.prepare('DELETE FROM messages WHERE id = ?').run(burst[27]!.id));
    expectExact();
    expect(alice()).toMatchObject({ id: burst[20]!.id });
  });

  it('keeps nothing of a send whose commit failed, and all of those stored again beside it', async () => {
    const first = await send(ALICE, T0);
    // Same turn, so one transaction: the duplicate handle fails it, and the rest are stored again alone.
    const results = await Promise.allSettled([
      send(BOB, T0 + 1),
      send(CAROL, T0 + 2, { handle: first.handle, status: 'DECLINED' }),
      send(ALICE, T0 + 3),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expectExact();
    expect(read((db) => db.prepare('SELECT count(*) AS n FROM message_status_history').get())).toEqual({ n: 3 });
  });

  it('catches up with messages inserted behind the store’s back, keeping read marks', async () => {
    const sent = await send(ALICE, T0);
    await store.markConversationRead(a.id, { line: LINE, groupId: '', number: ALICE }, T0 + 5);
    read((db) => {
      const insert = db.prepare(INSERT_MESSAGE_SQL);
      for (const [to, at] of [
        [ALICE, T0 + 10],
        [BOB, T0 + 11],
      ] as const) {
        insert.run(
          messageParams({ ...messageDraft(a, LINE, to, { createdAt: at, content: `raw ${to}` }), statusSeq: 0 }),
        );
      }
      db.exec(CATCH_UP_INBOX_SQL);
    });
    expectExact();
    expect(history(sent.id)).toEqual(['QUEUED']);
    expect(read((db) => db.prepare('SELECT count(*) AS n FROM conversation_reads').get())).toEqual({ n: 1 });
  });

  it('gives a conversation the service its newest message took in the transaction that stored it', () => {
    read((db) => {
      const projections = new InboxProjections((sql) => prepare(db, sql));
      db.transaction(() => {
        projections.clear();
        const draft = { ...messageDraft(a, LINE, ALICE, { createdAt: T0 }), statusSeq: 0 };
        const id = Number(db.prepare(INSERT_MESSAGE_SQL).run(messageParams(draft)).lastInsertRowid);
        projections.inserted({ ...draft, id });
        const delivered = { ...draft, id, status: 'DELIVERED' as const, service: 'SMS' as const, updatedAt: T0 + 1 };
        db.prepare(UPDATE_STATUS_SQL).run(...statusParams(delivered));
        projections.statusChanged(delivered, 'QUEUED');
        projections.flush();
      }).immediate();
    });
    expectExact();
    expect(read((db) => db.prepare('SELECT service FROM conversations').all())).toEqual([{ service: 'SMS' }]);
  });
});
