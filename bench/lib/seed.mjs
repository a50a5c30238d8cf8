// Fills a Tapback SQLite file with a message history, fast: the server's own migrations first
// (through the built store), then bulk INSERTs with better-sqlite3 in large transactions. Also
// the "raw better-sqlite3" baseline: the rows an accepted send writes, inserted without HTTP.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
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
  await catchUpInbox(db);
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
 * Seeded files are kept between runs in this directory (seeding 1M messages takes minutes), under a
 * name holding a digest of everything that decides their bytes: this file, the built migrations and
 * the row writer. A changed schema or writer makes a new name, and the files of other digests are
 * removed. TAPBACK_BENCH_SEED_CACHE=0 seeds afresh and keeps nothing.
 */
const CACHE_DIR = join(homedir(), '.cache', 'tapback-bench', 'seeds');
const cacheOn = process.env.TAPBACK_BENCH_SEED_CACHE !== '0';

/** Where the store keeps conversations, search and history itself; absent from builds that kept them by triggers. */
const INBOX_PROJECTIONS = new URL('store/sqlite/inbox-projections.js', dist);

/**
 * Conversations, the search index and the status history of rows inserted behind the store's
 * back, as the store keeps them for its own writes. A build older than that (triggers kept them,
 * e.g. when measuring "before" on an earlier commit) needs nothing.
 */
async function catchUpInbox(db) {
  if (!existsSync(INBOX_PROJECTIONS)) return;
  const { CATCH_UP_INBOX_SQL } = await import(INBOX_PROJECTIONS);
  db.exec(CATCH_UP_INBOX_SQL);
}

function seedDigest() {
  const hash = createHash('sha256');
  const files = [
    new URL(import.meta.url),
    new URL('store/sqlite/message-row.js', dist),
    new URL('store/sqlite/message-count-deltas.js', dist),
    INBOX_PROJECTIONS,
    new URL('domain/message-fields.js', dist),
  ].filter((file) => existsSync(file));
  const migrations = new URL('store/sqlite/migrations/', dist);
  for (const name of readdirSync(migrations).sort()) files.push(new URL(name, migrations));
  for (const file of files) hash.update(file.pathname).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/** When anything in `dir` was last written. */
function lastWriteMs(dir) {
  return Math.max(statSync(dir).mtimeMs, ...readdirSync(dir).map((name) => statSync(join(dir, name)).mtimeMs));
}

/** The seeded file for `key`: from the cache when there, else seeded (and cached). */
async function seededTemplate(messages, accounts, contacts) {
  if (!cacheOn) {
    const dir = mkdtempSync(join(tmpdir(), 'tapback-bench-seed-'));
    const path = join(dir, 'seed.db');
    const seeded = await seedHistory(path, { messages, accounts, contacts });
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return { path, seeded: { ...seeded, cached: false } };
  }
  const digest = seedDigest();
  const path = join(CACHE_DIR, `${digest}-${messages}-${accounts}-${contacts}.db`);
  if (existsSync(path)) return { path, seeded: { elapsedMs: 0, rowsPerSec: null, cached: true } };
  mkdirSync(CACHE_DIR, { recursive: true });
  for (const name of readdirSync(CACHE_DIR)) {
    const entry = join(CACHE_DIR, name);
    if (name.endsWith('.db') && !name.startsWith(`${digest}-`)) rmSync(entry, { force: true });
    // A `seeding-` directory may be another run's, still filling; one untouched for 30 minutes was
    // left by a run that was stopped.
    if (name.startsWith('seeding-') && lastWriteMs(entry) < Date.now() - 30 * 60_000) {
      rmSync(entry, { recursive: true, force: true });
    }
  }
  // Seeded beside its final name and renamed into place whole, so a run that stops half-way, or
  // another run seeding at the same time, never leaves a half-filled file under that name.
  const dir = mkdtempSync(join(CACHE_DIR, 'seeding-'));
  try {
    const seeded = await seedHistory(join(dir, 'seed.db'), { messages, accounts, contacts });
    renameSync(join(dir, 'seed.db'), path);
    return { path, seeded: { ...seeded, cached: false } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A fresh copy of a seeded file (seeded once per run and per size, or taken from the cache above,
 * then copied: a copy takes a second where seeding a million rows takes minutes). The caller
 * removes the copy with `remove` when done.
 */
export async function seededCopy(messages, { accounts = 100, contacts = 100 } = {}) {
  // Keyed by what is seeded, defaults filled in: `seededCopy(n)` and `seededCopy(n, { accounts: 100,
  // contacts: 100 })` are the same file, built once for every scenario of the run that asks for it.
  const key = `${messages} ${accounts} ${contacts}`;
  let template = templates.get(key);
  if (template === undefined) {
    template = seededTemplate(messages, accounts, contacts);
    templates.set(key, template);
  }
  const { path: from, seeded } = await template;
  const dir = mkdtempSync(join(tmpdir(), 'tapback-bench-db-'));
  const path = join(dir, 'bench.db');
  copyFileSync(from, path);
  return { dir, path, seeded, remove: () => rmSync(dir, { recursive: true, force: true }) };
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
  await catchUpInbox(db);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
