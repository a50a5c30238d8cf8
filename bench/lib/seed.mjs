// Fills a Tapback SQLite file with a message history, fast: the server's own migrations first
// (through the built store), then bulk INSERTs with better-sqlite3 in large transactions. Also
// the "raw better-sqlite3" baseline: the rows an accepted send writes, inserted without HTTP.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { KEY_ID, LINE, SECRET } from './processes.mjs';

const dist = new URL('../../packages/server/dist/', import.meta.url);

/** Account `i` (0-based) of a seeded file: account 0 is the bootstrap account the server adopts. */
export function seededAccount(i) {
  const n = String(i).padStart(4, '0');
  return i === 0
    ? { email: 'dev@tapback.local', keyId: KEY_ID, line: LINE }
    : { email: `bench-${n}@tapback.local`, keyId: `bench-key-acct-${n}`, line: `+1555200${n}` };
}

/** Contact `j` of every account. */
export const contactNumber = (j) => `+1999300${String(j).padStart(4, '0')}`;

export async function migrate(path) {
  const { createSqliteStore } = await import(new URL('store/sqlite/sqlite-store.js', dist));
  const store = createSqliteStore(path);
  await store.migrate();
  await store.close();
}

/**
 * An outbound iMessage with every field the store writes: a new draft's defaults (`defaults`, the
 * server's MESSAGE_DRAFT_DEFAULTS) and `fields`; `createdAt` also sets sent and updated.
 */
function benchMessage(defaults, fields) {
  return { ...defaults, isOutbound: true, sentAt: fields.createdAt, updatedAt: fields.createdAt, ...fields };
}

/** The server's message row writer and a new draft's defaults, from the build. */
async function messageWriter() {
  const { INSERT_MESSAGE_SQL, messageParams } = await import(new URL('store/sqlite/message-row.js', dist));
  const { MESSAGE_DRAFT_DEFAULTS } = await import(new URL('domain/message-fields.js', dist));
  return { INSERT_MESSAGE_SQL, messageParams, defaults: MESSAGE_DRAFT_DEFAULTS };
}

/**
 * `messages` delivered messages spread evenly over `accounts` accounts (each with its own key,
 * secret SECRET, and line) and `contacts` contacts per account, newest last.
 */
export async function seedHistory(path, { messages, accounts = 100, contacts = 100 }) {
  await migrate(path);
  const { INSERT_MESSAGE_SQL, messageParams, defaults } = await messageWriter();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const digest = createHash('sha256').update(SECRET, 'utf8').digest('hex');
  const started = performance.now();
  const now = Date.now();
  const ids = [];
  db.transaction(() => {
    for (let i = 0; i < accounts; i++) {
      const a = seededAccount(i);
      const id = Number(
        db.prepare('INSERT INTO accounts (email, plan, created_at) VALUES (?, ?, ?)').run(a.email, 'dedicated', now)
          .lastInsertRowid,
      );
      ids.push(id);
      db.prepare(
        'INSERT INTO api_keys (key_id, account_id, secret_digest, label, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(a.keyId, id, digest, 'bench', now);
      db.prepare('INSERT INTO lines (account_id, number, provider, created_at) VALUES (?, ?, ?, ?)').run(
        id,
        a.line,
        'sandbox',
        now,
      );
    }
  })();
  const insert = db.prepare(INSERT_MESSAGE_SQL);
  const firstAt = now - messages;
  const chunk = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const account = i % accounts;
      const line = seededAccount(account).line;
      const contact = contactNumber(Math.floor(i / accounts) % contacts);
      const at = firstAt + i;
      insert.run(
        messageParams(
          benchMessage(defaults, {
            handle: uuidv7({ msecs: at }),
            accountId: ids[account],
            status: 'DELIVERED',
            content: `Seeded message ${i}`,
            fromNumber: line,
            toNumber: contact,
            number: contact,
            sendblueNumber: line,
            wasDowngraded: false,
            createdAt: at,
            statusSeq: 2,
          }),
        ),
      );
    }
  });
  for (let i = 0; i < messages; i += 50_000) chunk(i, Math.min(messages, i + 50_000));
  // The store keeps message_counts itself (migration 0005); rows inserted behind its back are counted here.
  const { RECOUNT_MESSAGES_SQL } = await import(new URL('store/sqlite/message-count-deltas.js', dist));
  db.exec(RECOUNT_MESSAGES_SQL);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const elapsedMs = performance.now() - started;
  return { elapsedMs: Math.round(elapsedMs), rowsPerSec: Math.round((messages / elapsedMs) * 1000) };
}

/**
 * The storage floor of a send: the message row and its job row, inserted by better-sqlite3 into a
 * migrated file with WAL and synchronous=FULL, `batch` sends per transaction (the group commit of
 * 50 connections), for `durationMs`. Returns rows (sends) per second.
 */
export async function rawInsertRate(path, { durationMs = 3000, batch = 50 } = {}) {
  await migrate(path);
  const { INSERT_MESSAGE_SQL, messageParams, defaults } = await messageWriter();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const accountId = Number(
    db.prepare('INSERT INTO accounts (email, plan, created_at) VALUES (?, ?, ?)').run('raw@x', 'dedicated', 0)
      .lastInsertRowid,
  );
  const insert = db.prepare(INSERT_MESSAGE_SQL);
  const job = db.prepare(`INSERT INTO jobs (kind, message_id, run_at) VALUES ('send', ?, ?)`);
  const tx = db.transaction(() => {
    for (let i = 0; i < batch; i++) {
      const at = Date.now();
      const id = insert.run(
        messageParams(
          benchMessage(defaults, {
            handle: uuidv7(),
            accountId,
            status: 'QUEUED',
            content: 'Benchmark message',
            fromNumber: LINE,
            toNumber: '+19998887777',
            number: '+19998887777',
            sendblueNumber: LINE,
            createdAt: at,
            statusSeq: 0,
          }),
        ),
      ).lastInsertRowid;
      job.run(id, at);
    }
  });
  let rows = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    tx.immediate();
    rows += batch;
  }
  const elapsedMs = performance.now() - started;
  db.close();
  return { rowsPerSec: Math.round((rows / elapsedMs) * 1000) };
}

const templates = new Map();

/**
 * A fresh copy of a seeded file (seeded once per run and per size, then copied: a copy takes a
 * second where seeding a million rows takes many). The caller removes `dir` when done.
 */
export async function seededCopy(messages, opts = {}) {
  const key = `${messages} ${JSON.stringify(opts)}`;
  let template = templates.get(key);
  if (template === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'tapback-bench-seed-'));
    const path = join(dir, 'seed.db');
    const seeded = await seedHistory(path, { messages, ...opts });
    template = { dir, path, seeded };
    templates.set(key, template);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const dir = mkdtempSync(join(tmpdir(), 'tapback-bench-db-'));
  const path = join(dir, 'bench.db');
  copyFileSync(template.path, path);
  return { dir, path, seeded: template.seeded, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * One long conversation on account 0's line: `messages` messages with `contact`, alternating
 * outbound (DELIVERED) and inbound (RECEIVED), newest last and newer than anything seedHistory wrote.
 */
export async function seedThread(path, { contact, messages }) {
  const { INSERT_MESSAGE_SQL, messageParams, defaults } = await messageWriter();
  const db = new Database(path);
  db.pragma('synchronous = OFF');
  const accountId = Number(db.prepare('SELECT id FROM accounts WHERE email = ?').get('dev@tapback.local').id);
  const insert = db.prepare(INSERT_MESSAGE_SQL);
  const firstAt = Date.now();
  db.transaction(() => {
    for (let i = 0; i < messages; i++) {
      const at = firstAt + i;
      const outbound = i % 2 === 0;
      insert.run(
        messageParams({
          ...defaults,
          handle: uuidv7({ msecs: at }),
          accountId,
          isOutbound: outbound,
          status: outbound ? 'DELIVERED' : 'RECEIVED',
          content: `Thread message ${i}: ${outbound ? 'on my way' : 'see you soon'}`,
          fromNumber: outbound ? LINE : contact,
          toNumber: outbound ? contact : LINE,
          number: contact,
          sendblueNumber: LINE,
          wasDowngraded: false,
          createdAt: at,
          sentAt: at,
          updatedAt: at,
          statusSeq: outbound ? 2 : 0,
        }),
      );
    }
  })();
  const { RECOUNT_MESSAGES_SQL } = await import(new URL('store/sqlite/message-count-deltas.js', dist));
  db.exec(RECOUNT_MESSAGES_SQL);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
