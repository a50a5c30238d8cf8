import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { HAS_POSTGRES, TEST_SECRET_KEY } from '../../test/support/backends.js';
import { messageDraft } from '../../test/support/message-draft.js';
import { createTestSchema } from '../../test/support/postgres.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { Account } from '../domain/account.js';
import type { Message } from '../domain/message.js';
import { MESSAGE_FIELD_LIST } from '../domain/message-fields.js';
import * as pgRow from './postgres/message-row.js';
import { createPool } from './postgres/postgres-connection.js';
import { createPostgresStore } from './postgres/postgres-store.js';
import * as sqliteRow from './sqlite/message-row.js';
import { prepare } from './sqlite/prepared.js';
import { createSqliteStore } from './sqlite/sqlite-store.js';

/**
 * The message table (domain/message-fields.ts) against what each dialect's migrations build: every
 * stored field is a column of its kind's type and nullability, there is no column the table does
 * not know, and a message written and read back by the derived row code is the message.
 */

const stored = MESSAGE_FIELD_LIST.filter((f) => f.account === undefined);
const byName = <T extends { name: string }>(rows: T[]) => [...rows].sort((a, b) => a.name.localeCompare(b.name));
const T0 = Date.UTC(2030, 0, 1);
const ACCOUNT: Account = { id: 1, email: 'a@example.com', plan: 'dedicated', createdAt: T0 };
const LINE = '+15550001000';

/** A message with a value other than its default in every field. */
function sample(id: number): Message {
  return {
    ...messageDraft(ACCOUNT, LINE, '+19998887777', {
      createdAt: T0,
      sentAt: T0 + 1,
      updatedAt: T0 + 2,
      status: 'SENT',
      content: 'hi',
      mediaUrl: 'https://example.com/a.png',
      sendStyle: 'loud',
      service: 'SMS',
      wasDowngraded: true,
      errorCode: 4001,
      errorMessage: 'm',
      errorReason: 'r',
      errorDetail: 'd',
      messageType: 'group',
      groupId: 'g-1',
      participants: ['+19998887777', '+19998886666'],
      groupDisplayName: 'Team',
      optedOut: true,
      statusCallback: 'https://example.com/cb',
      providerMessageId: 'net-1',
    }),
    id,
    statusSeq: 3,
  };
}

describe('message columns (sqlite)', () => {
  let dir: ReturnType<typeof tempDir> | undefined;
  afterEach(() => dir?.cleanup());

  it('match the table after every migration, and round-trip a message', async () => {
    dir = tempDir('tapback-columns-');
    const path = `${dir.path}/tapback.db`;
    const store = createSqliteStore(path);
    await store.migrate();
    await store.close();
    const db = new Database(path);
    try {
      const columns = db.prepare(`PRAGMA table_info(messages)`).all() as {
        name: string;
        type: string;
        notnull: number;
      }[];
      expect(byName(columns.map((c) => ({ name: c.name, type: c.type, nullable: c.notnull === 0 })))).toEqual(
        byName(
          stored.map((f) => ({
            name: f.column,
            type: sqliteRow.SQLITE_COLUMN_TYPES[f.kind],
            // SQLite reports its INTEGER PRIMARY KEY (the rowid) as nullable.
            nullable: f.nullable || f.kind === 'id',
          })),
        ),
      );
      expect(
        db
          .prepare(sqliteRow.MESSAGE_SELECT)
          .columns()
          .map((c) => c.name)
          .sort(),
      ).toEqual(MESSAGE_FIELD_LIST.map((f) => f.column).sort());

      db.prepare('INSERT INTO accounts (id, email, plan, created_at) VALUES (1, ?, ?, ?)').run(
        ACCOUNT.email,
        ACCOUNT.plan,
        T0,
      );
      const m = sample(1);
      db.prepare(sqliteRow.INSERT_MESSAGE_SQL).run(sqliteRow.messageParams(m));
      const row = prepare(db, `${sqliteRow.MESSAGE_SELECT} WHERE m.id = ?`).get(1) as sqliteRow.MessageRow;
      expect(sqliteRow.rowToMessage(row)).toEqual(m);
    } finally {
      db.close();
    }
  });
});

describe.skipIf(!HAS_POSTGRES)('message columns (postgres)', () => {
  it('match the table after every migration, and round-trip a message', async () => {
    const schema = await createTestSchema();
    const store = createPostgresStore(schema.url, { poolSize: 1, secretKey: TEST_SECRET_KEY });
    await store.migrate();
    await store.close();
    const pool = createPool(schema.url, 1);
    try {
      const columns = await pool.query<{ column_name: string; data_type: string; is_nullable: string }>(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = 'messages'`,
      );
      expect(
        byName(
          columns.rows.map((c) => ({ name: c.column_name, type: c.data_type, nullable: c.is_nullable === 'YES' })),
        ),
      ).toEqual(
        byName(
          stored.map((f) => ({ name: f.column, type: pgRow.POSTGRES_COLUMN_TYPES[f.kind], nullable: f.nullable })),
        ),
      );
      const select = await pool.query(`${pgRow.MESSAGE_SELECT} LIMIT 0`);
      expect(select.fields.map((c) => c.name).sort()).toEqual(MESSAGE_FIELD_LIST.map((f) => f.column).sort());

      await pool.query('INSERT INTO accounts (id, email, plan, created_at) VALUES (1, $1, $2, $3)', [
        ACCOUNT.email,
        ACCOUNT.plan,
        T0,
      ]);
      const m = sample(1);
      expect(pgRow.MESSAGE_INSERT_PARAMS).toBe(stored.length);
      await pool.query(pgRow.insertMessagesSql(1), pgRow.insertMessagesParams([m]));
      const row = await pool.query<pgRow.MessageRow>(`${pgRow.MESSAGE_SELECT} WHERE m.id = $1`, [1]);
      expect(row.rows.map(pgRow.rowToMessage)).toEqual([m]);
    } finally {
      await pool.end();
      await schema.dispose();
    }
  });
});
