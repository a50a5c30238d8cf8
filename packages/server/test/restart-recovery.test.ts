import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseLocation, sqlitePath } from '../src/config/config.js';
import { SANDBOX_RULES, type SandboxBehaviour } from '../src/delivery/providers/sandbox/sandbox-behaviour.js';
import type { WireMessage } from '../src/domain/message.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { SERVER_BACKENDS, TEST_SECRET_KEY } from './support/backends.js';
import { type ServerProcess, killAllChildren, startServerProcess } from './support/cli-process.js';

/**
 * Process-level durability, in a bounded run: the real `tapback serve`
 * binary on a SQLite file or a PostgreSQL database, killed with SIGKILL or stopped with SIGTERM
 * under load, restarted on the same data. Every acknowledged message must reach its final status
 * exactly once.
 */

const KEY_ID = 'restart-key-0001';
const SECRET = 'restart-secret-0001-abcdefghijklmnop';
const LINE = '+15550001000';
const AUTH = { 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };

/** Where each sandbox behaviour ends, and after how many status changes. */
const FINAL: Record<SandboxBehaviour, { status: string; status_sequence: number }> = {
  sms_only: { status: 'SENT', status_sequence: 1 },
  rcs: { status: 'DELIVERED', status_sequence: 2 },
  fails_after_sending: { status: 'ERROR', status_sequence: 2 },
  unreachable: { status: 'ERROR', status_sequence: 1 },
  flaky: { status: 'DELIVERED', status_sequence: 2 },
  never_confirmed: { status: 'SENT', status_sequence: 1 },
  echo: { status: 'DELIVERED', status_sequence: 2 },
  imessage: { status: 'DELIVERED', status_sequence: 2 },
};

type SendOutcome =
  | { kind: 'ok'; handle: string; replayed: boolean }
  | { kind: 'http'; status: number; body: string }
  /** No answer (connection refused or reset): the message may or may not be stored. */
  | { kind: 'lost'; error: string };

async function sendMessage(url: string, key: string, to: string): Promise<SendOutcome> {
  try {
    const res = await fetch(`${url}/api/send-message`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ number: to, from_number: LINE, content: `message ${key}` }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = await res.text();
    if (res.status !== 200) return { kind: 'http', status: res.status, body: body.slice(0, 300) };
    return {
      kind: 'ok',
      handle: (JSON.parse(body) as WireMessage).message_handle,
      replayed: res.headers.get('idempotent-replayed') === 'true',
    };
  } catch (error) {
    return { kind: 'lost', error: String(error) };
  }
}

/** Every outbound (or inbound) message of the account, oldest first. */
async function listAll(url: string, direction: 'outbound' | 'inbound' = 'outbound'): Promise<WireMessage[]> {
  const all: WireMessage[] = [];
  const outbound = direction === 'outbound';
  for (;;) {
    const res = await fetch(
      `${url}/api/v2/messages?limit=100&offset=${all.length}&order_direction=asc&is_outbound=${outbound}`,
      {
        headers: AUTH,
      },
    );
    expect(res.status).toBe(200);
    const page = (await res.json()) as { data: WireMessage[]; pagination: { total: number } };
    all.push(...page.data);
    if (page.data.length === 0 || all.length >= page.pagination.total) return all;
  }
}

/** Polls `check` every 100 ms until it holds; fails with `describe()` after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number, describe: () => Promise<string>) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight. */
async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

describe.each(SERVER_BACKENDS)('the server process survives kill -9 and SIGTERM ($name)', (backend) => {
  let db: { url: string; dispose(): Promise<void> };
  let env: Record<string, string>;

  beforeEach(async () => {
    db = await backend.createDatabase();
    env = {
      DATABASE_URL: db.url,
      TAPBACK_BOOTSTRAP_API_KEY_ID: KEY_ID,
      TAPBACK_BOOTSTRAP_API_SECRET: SECRET,
      TAPBACK_BOOTSTRAP_LINE: LINE,
      TAPBACK_JOB_LEASE_MS: '1000',
      TAPBACK_PROVIDER_TIMEOUT_MS: '500',
      TAPBACK_WORKER_POLL_MS: '100',
      TAPBACK_DELIVERY_RETRY_BASE_MS: '200',
      TAPBACK_LIST_RATE_MAX: '100000',
    };
  });

  afterEach(async () => {
    await killAllChildren();
    await db.dispose();
  });

  afterAll(killAllChildren);

  /** Opens the database the server used (after it exited) through the store, then closes it. */
  async function inspect<T>(read: (store: Store) => Promise<T>): Promise<T> {
    // The key the server process used: the tests' on PostgreSQL (cli-process.ts), the key file on SQLite.
    const secretKey = db.url.startsWith('postgres') ? TEST_SECRET_KEY : undefined;
    const store = await openStore(databaseLocation(db.url), { secretKey });
    try {
      return await read(store);
    } finally {
      await store.close();
    }
  }

  /** Jobs a worker holds a lease on, read straight from the database. */
  async function leasedJobs(): Promise<number> {
    const sql = 'SELECT count(*) AS n FROM jobs WHERE leased_by IS NOT NULL';
    if (backend.name === 'sqlite') {
      const raw = new Database(sqlitePath(db.url), { readonly: true });
      try {
        return (raw.prepare(sql).get() as { n: number }).n;
      } finally {
        raw.close();
      }
    }
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>(sql)).rows[0]?.n);
    } finally {
      await client.end();
    }
  }

  async function killHard(server: ServerProcess): Promise<void> {
    server.kill('SIGKILL');
    expect((await server.exited).signal).toBe('SIGKILL');
  }

  // kill -9 ends the process, not the machine: whatever it wrote is in the OS page cache and
  // survives. It proves that every acknowledged write was written before the answer; that the
  // writes also reach the disk (synchronous=FULL) is a setting, checked as the server reports it.
  it('delivers every message exactly once across two kill -9 restarts (a process crash, not a power loss)', async () => {
    env.TAPBACK_SANDBOX_SENT_DELAY_MS = '300';
    env.TAPBACK_SANDBOX_DELIVERED_DELAY_MS = '1500';
    // 50 messages over every sandbox behaviour, each under its own idempotency key.
    const messages = Array.from({ length: 50 }, (_, i) => {
      const rule = SANDBOX_RULES[i % SANDBOX_RULES.length]!;
      const to = rule.suffix === null ? `+1999888${String(7000 + i)}` : `+1202555${rule.suffix}`;
      return { key: `restart-${i}`, to, behaviour: rule.behaviour };
    });

    // 1. Kill -9 while sends are in flight and jobs are leased or scheduled.
    const first = await startServerProcess(env);
    if (backend.name === 'sqlite') {
      // The banner reads the settings back from the server's own connection.
      expect(first.output().stdout).toMatch(/^ {2}sqlite: +journal_mode=wal, synchronous=2$/m);
    }
    const outcomes = new Map<string, SendOutcome>();
    let acked = 0;
    await pool(messages, 10, async (m) => {
      const outcome = await sendMessage(first.url, m.key, m.to);
      outcomes.set(m.key, outcome);
      if (outcome.kind === 'ok' && ++acked === 25) first.kill('SIGKILL');
    });
    await killHard(first);
    const phase1 = [...outcomes.values()];
    expect(phase1.filter((o) => o.kind === 'http')).toEqual([]);
    expect(phase1.filter((o) => o.kind === 'ok').length).toBeGreaterThanOrEqual(25);
    expect(await inspect((s) => s.countJobs())).toBeGreaterThan(0);

    // 2. Restart; resend everything under the same keys: acknowledged sends replay, lost ones
    //    are stored now (or replay, if they were stored before the kill). Then kill -9 again.
    const second = await startServerProcess(env);
    const handles = new Map<string, string>();
    await pool(messages, 10, async (m) => {
      const outcome = await sendMessage(second.url, m.key, m.to);
      if (outcome.kind !== 'ok') throw new Error(`resend of ${m.key} failed: ${JSON.stringify(outcome)}`);
      const before = outcomes.get(m.key);
      if (before?.kind === 'ok') {
        expect(outcome).toEqual({ kind: 'ok', handle: before.handle, replayed: true });
      }
      handles.set(m.key, outcome.handle);
    });
    await killHard(second);
    expect(await inspect((s) => s.countJobs())).toBeGreaterThan(0);

    // 3. Restart and drain: every message reaches its documented final status, exactly once.
    const third = await startServerProcess(env);
    const expected = new Map(messages.map((m) => [handles.get(m.key)!, FINAL[m.behaviour]]));
    const settled = async () => {
      const all = await listAll(third.url);
      return all.every((w) => {
        const want = expected.get(w.message_handle);
        return want !== undefined && w.status === want.status && w.status_sequence === want.status_sequence;
      });
    };
    await eventually(settled, 20_000, async () =>
      JSON.stringify((await listAll(third.url)).map((w) => [w.to_number, w.status, w.status_sequence])),
    );
    const all = await listAll(third.url);
    expect(all).toHaveLength(50);
    expect(new Set(all.map((w) => w.message_handle))).toEqual(new Set(handles.values()));
    for (const w of all) {
      expect(w, w.to_number).toMatchObject(expected.get(w.message_handle)!);
      if (w.status === 'ERROR') expect(w.error_code).toBe(10001);
    }

    // The echo contact's replies are durable jobs too: each echo message was answered exactly once.
    const echoes = messages.filter((m) => m.behaviour === 'echo').length;
    await eventually(
      async () => (await listAll(third.url, 'inbound')).length >= echoes,
      10_000,
      async () => `inbound: ${(await listAll(third.url, 'inbound')).length} of ${echoes}`,
    );
    const replies = await listAll(third.url, 'inbound');
    expect(replies).toHaveLength(echoes);
    expect(replies.every((r) => r.content.startsWith('Echo: ') && r.status === 'RECEIVED')).toBe(true);

    third.kill('SIGTERM');
    expect(await third.exited).toEqual({ code: 0, signal: null });
    // Left: only each never-confirmed message's SMS fallback window, due 60 s after its send.
    const windows = messages.filter((m) => m.behaviour === 'never_confirmed').length;
    expect(await inspect((s) => s.countJobs())).toBe(windows);
    expect(await leasedJobs()).toBe(0);
    if (backend.name !== 'sqlite') return;
    const path = sqlitePath(db.url);
    const raw = new Database(path, { readonly: true });
    try {
      // journal_mode is stored in the file: this is what the server ran with.
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      raw.close();
    }
  }, 60_000);

  it('stops gracefully on SIGTERM under load: no 5xx, no job left leased, everything completes after restart', async () => {
    env.TAPBACK_SANDBOX_SENT_DELAY_MS = '50';
    env.TAPBACK_SANDBOX_DELIVERED_DELAY_MS = '200';
    const contact = (i: number) => `+1999888${String(1000 + i)}`;
    const server = await startServerProcess(env);
    const outcomes = new Map<string, SendOutcome>();
    let exited = false;
    const exit = server.exited.then((r) => {
      exited = true;
      return r;
    });
    let issued = 0;
    let acked = 0;
    // 8 clients sending in a loop; SIGTERM after 150 acknowledgements; they stop once the
    // process is gone (bounded at 1,500 requests in all).
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!exited && issued < 1500) {
          const i = issued++;
          const outcome = await sendMessage(server.url, `term-${i}`, contact(i));
          outcomes.set(`term-${i}`, outcome);
          if (outcome.kind === 'ok' && ++acked === 150) server.kill('SIGTERM');
        }
      }),
    );
    expect(await exit).toEqual({ code: 0, signal: null });
    const results = [...outcomes.values()];
    expect(results.filter((o) => o.kind === 'http')).toEqual([]);
    expect(acked).toBeGreaterThanOrEqual(150);

    expect(await leasedJobs()).toBe(0);

    // Restart; retry every request whose outcome was unknown, under its key.
    const again = await startServerProcess(env);
    const lost = [...outcomes.entries()].filter(([, o]) => o.kind === 'lost').map(([key]) => key);
    await pool(lost, 8, async (key) => {
      const outcome = await sendMessage(again.url, key, contact(Number(key.slice('term-'.length))));
      expect(outcome.kind, JSON.stringify(outcome)).toBe('ok');
    });
    await eventually(
      async () => (await listAll(again.url)).every((w) => w.status === 'DELIVERED'),
      20_000,
      async () => JSON.stringify((await listAll(again.url)).filter((w) => w.status !== 'DELIVERED').slice(0, 5)),
    );
    const all = await listAll(again.url);
    // Exactly one message per key: nothing acknowledged was lost, nothing retried was duplicated.
    expect(all).toHaveLength(outcomes.size);
    expect(new Set(all.map((w) => w.content))).toEqual(new Set([...outcomes.keys()].map((k) => `message ${k}`)));
    expect(all.every((w) => w.status_sequence === 2)).toBe(true);
    again.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
