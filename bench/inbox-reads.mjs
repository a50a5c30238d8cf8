// Scenario `inbox-reads`: the web inbox's reads on 1,000,000 stored messages in 10,000
// conversations (4 accounts, one line each, 2,500 contacts each; a third of the messages inbound):
// the conversation list's first page, a search for a common word (in 1 message of 20) and a rare
// one (1 in 10,000), and a message's timeline, each next to the first page of
// GET /api/v2/messages?limit=50 on the same server (the baseline, same run). Requests go to
// random accounts (and random messages for the timeline). Also the time migrations 0021 and 0022
// (conversations, search, status history) and those after them take on the 1M-message file,
// backfill included, and what keeping the read side costs a message insert: rows per second
// before and after them, the latter with the writes the store makes itself for each message since
// migration 0025 (the search index and status history entries, one conversation upsert per
// conversation and transaction: store/sqlite/inbox-projections.ts).
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { v7 as uuidv7 } from 'uuid';
import { SECRET, startTapback } from './lib/processes.mjs';
import { contactNumber, seededAccount } from './lib/seed.mjs';

const dist = new URL('../packages/server/dist/', import.meta.url);
const MESSAGES = 1_000_000;
const ACCOUNTS = 4;
const CONTACTS = 2_500;
/** The migrations measured: they run on the seeded file, not before it is filled. */
const MEASURED_FROM = 21;
const COMMON = ['lunch', 'invoice', 'meeting', 'parcel', 'weekend', 'dinner', 'ticket', 'order', 'reminder', 'photo'];
const RARE = 'zebra';
/** Timeline requests pick among this many messages of each account. */
const SAMPLE = 1_000;
/** Message inserts timed before and after the migrations. */
const WRITES = 20_000;

/** Seeds `path` at the migrations before MEASURED_FROM, then times the rest on the full file. */
async function seed(path, messages) {
  const { migrateSqlite } = await import(new URL('store/sqlite/sqlite-migrate.js', dist));
  const { INSERT_MESSAGE_SQL, messageParams } = await import(new URL('store/sqlite/message-row.js', dist));
  const { MESSAGE_DRAFT_DEFAULTS } = await import(new URL('domain/message-fields.js', dist));
  const { RECOUNT_MESSAGES_SQL } = await import(new URL('store/sqlite/message-count-deltas.js', dist));
  const { InboxProjections } = await import(new URL('store/sqlite/inbox-projections.js', dist));
  const { prepare } = await import(new URL('store/sqlite/prepared.js', dist));
  const all = new URL('store/sqlite/migrations/', dist);
  const early = mkdtempSync(join(tmpdir(), 'tapback-bench-migrations-'));
  for (const f of readdirSync(all).filter((f) => /^\d{4}_/.test(f) && Number(f.slice(0, 4)) < MEASURED_FROM)) {
    copyFileSync(new URL(f, all), join(early, f));
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrateSqlite(db, pathToFileURL(`${early}/`));
  rmSync(early, { recursive: true, force: true });
  db.pragma('synchronous = OFF');
  const digest = createHash('sha256').update(SECRET, 'utf8').digest('hex');
  const now = Date.now();
  const accounts = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const a = seededAccount(i);
    const id = Number(
      db.prepare('INSERT INTO accounts (email, plan, created_at) VALUES (?, ?, ?)').run(a.email, 'dedicated', now)
        .lastInsertRowid,
    );
    db.prepare(
      'INSERT INTO api_keys (key_id, account_id, secret_digest, label, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(a.keyId, id, digest, 'bench', now);
    db.prepare('INSERT INTO lines (account_id, number, provider, created_at) VALUES (?, ?, ?, ?)').run(
      id,
      a.line,
      'sandbox',
      now,
    );
    accounts.push({ ...a, id, handles: [] });
  }
  const insert = db.prepare(INSERT_MESSAGE_SQL);
  const firstAt = now - messages;
  const started = performance.now();
  const chunk = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const account = accounts[i % ACCOUNTS];
      const contact = contactNumber(Math.floor(i / ACCOUNTS) % CONTACTS);
      const inbound = i % 3 === 0;
      const at = firstAt + i;
      const handle = uuidv7({ msecs: at });
      // The same words in every account's history: k counts the account's own messages.
      const k = Math.floor(i / ACCOUNTS);
      const word = k % 10_000 === 0 ? RARE : k % 2 === 0 ? COMMON[(k / 2) % COMMON.length] : 'hello';
      insert.run(
        messageParams({
          ...MESSAGE_DRAFT_DEFAULTS,
          handle,
          accountId: account.id,
          isOutbound: !inbound,
          status: inbound ? 'RECEIVED' : 'DELIVERED',
          content: `Seeded message ${i} about the ${word}`,
          fromNumber: inbound ? contact : account.line,
          toNumber: inbound ? account.line : contact,
          number: contact,
          sendblueNumber: account.line,
          wasDowngraded: inbound ? null : false,
          createdAt: at,
          sentAt: at,
          updatedAt: at,
          statusSeq: inbound ? 0 : 2,
        }),
      );
      if (account.handles.length < SAMPLE && i % 97 === 0) account.handles.push(handle);
    }
  });
  for (let i = 0; i < messages; i += 50_000) chunk(i, Math.min(messages, i + 50_000));
  db.exec(RECOUNT_MESSAGES_SQL);
  const seededMs = performance.now() - started;
  db.pragma('synchronous = FULL');
  // What the read side costs a write: the same sends (50 a transaction, as a group commit of 50
  // connections), before and after the measured migrations; after them, with the store's own
  // writes for each message (as sqlite-store.ts makes them, through its statement cache).
  const send = db.prepare(INSERT_MESSAGE_SQL);
  const statements = new Map();
  const stmt = (sql) => {
    let s = statements.get(sql);
    if (s === undefined) statements.set(sql, (s = prepare(db, sql)));
    return s;
  };
  let projections;
  const sends = db.transaction((n) => {
    projections?.clear();
    for (let i = 0; i < n; i++) {
      const at = Date.now();
      const message = {
        ...MESSAGE_DRAFT_DEFAULTS,
        handle: uuidv7(),
        accountId: accounts[0].id,
        isOutbound: true,
        status: 'QUEUED',
        content: 'Benchmark message',
        fromNumber: accounts[0].line,
        toNumber: contactNumber(0),
        number: contactNumber(0),
        sendblueNumber: accounts[0].line,
        createdAt: at,
        sentAt: at,
        updatedAt: at,
        statusSeq: 0,
      };
      const id = Number(send.run(messageParams(message)).lastInsertRowid);
      projections?.inserted({ ...message, id });
    }
    projections?.flush();
  });
  const writeRate = () => {
    const t = performance.now();
    for (let i = 0; i < WRITES; i += 50) sends.immediate(50);
    return Math.round((WRITES / (performance.now() - t)) * 1000);
  };
  const writesBefore = writeRate();
  const t = performance.now();
  const ran = migrateSqlite(db, all);
  const migrationMs = performance.now() - t;
  projections = new InboxProjections(stmt);
  const writesAfter = writeRate();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return {
    accounts,
    seededMs: Math.round(seededMs),
    migrationMs: Math.round(migrationMs),
    migrations: ran,
    writesBefore,
    writesAfter,
  };
}

async function measure(url, accounts, path, { connections, durationS }) {
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => {
          const account = accounts[Math.floor(Math.random() * accounts.length)];
          return {
            ...req,
            path: path(account),
            headers: { 'sb-api-key-id': account.keyId, 'sb-api-secret-key': SECRET },
          };
        },
      },
    ],
  });
  return {
    requestsPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export async function inboxReadsScenario({ durationS = 10, connections = 10, messages = MESSAGES } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tapback-bench-inbox-'));
  const path = join(dir, 'inbox.db');
  try {
    const seeded = await seed(path, messages);
    const server = await startTapback({ TAPBACK_LIST_RATE_MAX: '1000000' }, { dbPath: path });
    const pick = (list) => list[Math.floor(Math.random() * list.length)];
    const paths = {
      'GET /api/v2/messages?limit=50 (baseline)': () => '/api/v2/messages?limit=50',
      'conversations, first page (limit=50)': () => '/api/v2/conversations?limit=50',
      'conversations of one line, first page': (a) =>
        `/api/v2/conversations?limit=50&sendblue_number=${encodeURIComponent(a.line)}`,
      [`search, common word (1 in 20 messages)`]: () => `/api/v2/messages/search?q=${pick(COMMON)}&limit=50`,
      [`search, rare word (1 in 10,000 messages)`]: () => `/api/v2/messages/search?q=${RARE}&limit=50`,
      'timeline of a message': (a) => `/api/v2/messages/${pick(a.handles)}/timeline`,
    };
    const figures = {};
    try {
      for (const [subject, path] of Object.entries(paths)) {
        await measure(server.url, seeded.accounts, path, { connections, durationS: 2 });
        figures[subject] = await measure(server.url, seeded.accounts, path, { connections, durationS });
      }
    } finally {
      await server.stop();
    }
    const [baselineName, ...measured] = Object.keys(figures);
    const base = figures[baselineName];
    const common = { scenario: 'inbox-reads', connections, durationS };
    return [
      {
        ...common,
        subject: baselineName,
        ...base,
        seededMs: seeded.seededMs,
        migrationMs: seeded.migrationMs,
        migrationsTimed: seeded.migrations.join(','),
        insertsPerSecBeforeMigrations: seeded.writesBefore,
        insertsPerSecAfterMigrations: seeded.writesAfter,
      },
      ...measured.map((subject) => ({
        ...common,
        subject,
        ...figures[subject],
        ratio: Number((figures[subject].p99Ms / Math.max(base.p99Ms, 1)).toFixed(2)),
        ratioOf: 'p99 / p99 of GET /api/v2/messages?limit=50',
      })),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
