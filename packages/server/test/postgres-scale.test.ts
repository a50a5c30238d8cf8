import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_RULES, type SandboxBehaviour } from '../src/delivery/providers/sandbox/sandbox-behaviour.js';
import type { WireMessage } from '../src/domain/message.js';
import { HAS_POSTGRES } from './support/backends.js';
import { type ServerProcess, killAllChildren, startServerProcess } from './support/cli-process.js';
import { type TestDatabase, createTestDatabase } from './support/postgres.js';

/**
 * Scale-out on PostgreSQL, in a bounded run: two `--role api` and two
 * `--role worker` processes of the real binary on one database, a load run, and one worker
 * frozen then killed with SIGKILL while it holds leased jobs. Every acknowledged message must
 * reach its final status exactly once, the dead worker's jobs claimed again after their lease.
 */

const KEY_ID = 'scale-key-0001';
const SECRET = 'scale-secret-0001-abcdefghijklmnop';
const LINE = '+15550001000';
const AUTH = { 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };
const LEASE_MS = 1500;

/** Where each sandbox behaviour ends, and after how many status changes. */
const FINAL: Record<SandboxBehaviour, { status: string; seq: number }> = {
  sms_only: { status: 'SENT', seq: 1 },
  rcs: { status: 'DELIVERED', seq: 2 },
  fails_after_sending: { status: 'ERROR', seq: 2 },
  unreachable: { status: 'ERROR', seq: 1 },
  flaky: { status: 'DELIVERED', seq: 2 },
  never_confirmed: { status: 'SENT', seq: 1 },
  echo: { status: 'DELIVERED', seq: 2 },
  imessage: { status: 'DELIVERED', seq: 2 },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(url: string, to: string, key: string): Promise<WireMessage> {
  const res = await fetch(`${url}/api/send-message`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ number: to, from_number: LINE, content: `scale ${key}` }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`send ${key}: ${res.status} ${body.slice(0, 200)}`);
  return JSON.parse(body) as WireMessage;
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number, describe: () => Promise<string>) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${await describe()}`);
    await sleep(100);
  }
}

describe.skipIf(!HAS_POSTGRES)('PostgreSQL scale-out: 2 API and 2 worker processes on one database', () => {
  let db: TestDatabase;
  let sql: pg.Client;
  let env: Record<string, string>;

  beforeEach(async () => {
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    env = {
      DATABASE_URL: db.url,
      TAPBACK_BOOTSTRAP_API_KEY_ID: KEY_ID,
      TAPBACK_BOOTSTRAP_API_SECRET: SECRET,
      TAPBACK_BOOTSTRAP_LINE: LINE,
      TAPBACK_JOB_LEASE_MS: String(LEASE_MS),
      TAPBACK_PROVIDER_TIMEOUT_MS: String(LEASE_MS - 500),
      // Long on purpose: only LISTEN/NOTIFY can make workers react to new sends quickly.
      TAPBACK_WORKER_POLL_MS: '10000',
      TAPBACK_DELIVERY_RETRY_BASE_MS: '100',
      TAPBACK_SANDBOX_SENT_DELAY_MS: '100',
      TAPBACK_SANDBOX_DELIVERED_DELAY_MS: '300',
      TAPBACK_QUEUE_LIMIT: '100000',
    };
  });

  afterEach(async () => {
    await killAllChildren();
    await sql.end();
    await db.dispose();
  });

  afterAll(killAllChildren);

  /** All four at once: they race on migrations (advisory lock) and on the bootstrap account. */
  function startAll(): Promise<ServerProcess[]> {
    return Promise.all([
      startServerProcess({ ...env, TAPBACK_ROLE: 'api' }),
      startServerProcess({ ...env, TAPBACK_ROLE: 'api' }),
      startServerProcess({ ...env, TAPBACK_ROLE: 'worker' }),
      startServerProcess({ ...env, TAPBACK_ROLE: 'worker' }),
    ]);
  }

  /** Jobs leased now, by id, with their lease end and message. */
  async function leases(): Promise<Map<number, { until: number; handle: string }>> {
    const r = await sql.query<{ id: string; run_at: string; handle: string }>(
      `SELECT j.id, j.run_at, m.handle FROM jobs j JOIN messages m ON m.id = j.message_id
        WHERE j.leased_by IS NOT NULL AND j.run_at > $1`,
      [Date.now()],
    );
    return new Map(r.rows.map((row) => [Number(row.id), { until: Number(row.run_at), handle: row.handle }]));
  }

  it('serves roles: API processes do not deliver, workers serve only /healthz, NOTIFY wakes a worker', async () => {
    const [api1, api2] = await Promise.all([
      startServerProcess({ ...env, TAPBACK_ROLE: 'api' }),
      startServerProcess({ ...env, TAPBACK_ROLE: 'api' }),
    ]);
    const queued = await send(api1!.url, '+19998887001', 'role-1');
    await sleep(500);
    expect((await sql.query('SELECT status FROM messages')).rows).toEqual([{ status: 'QUEUED' }]);

    const worker = await startServerProcess({ ...env, TAPBACK_ROLE: 'worker' });
    expect(await (await fetch(`${worker.url}/healthz`)).json()).toEqual({ status: 'OK', role: 'worker' });
    expect((await fetch(`${worker.url}/api/send-message`, { method: 'POST', headers: AUTH })).status).toBe(404);

    // The worker is idle now, sleeping up to its 10 s poll; a send through the other API
    // process must wake it through NOTIFY.
    await eventually(
      async () => (await sql.query('SELECT 1 FROM messages WHERE status = $1', ['DELIVERED'])).rowCount === 1,
      5000,
      async () => JSON.stringify((await sql.query('SELECT status FROM messages')).rows),
    );
    const started = Date.now();
    const second = await send(api2!.url, '+19998887002', 'role-2');
    await eventually(
      async () =>
        (await sql.query('SELECT status FROM messages WHERE handle = $1', [second.message_handle])).rows[0]?.status ===
        'DELIVERED',
      3000,
      async () => JSON.stringify((await sql.query('SELECT handle, status FROM messages')).rows),
    );
    // 100 + 300 ms of sandbox delays, plus a prompt wake-up (not the 10 s poll).
    expect(Date.now() - started).toBeLessThan(2500);
    expect(queued.status).toBe('QUEUED');
  });

  it('delivers every acknowledged message exactly once when a worker is killed holding leases', async () => {
    const [api1, api2, worker1, worker2] = await startAll();
    const apis = [api1!, api2!];
    const total = 300;
    const expected = new Map<string, { status: string; seq: number }>();
    let next = 0;
    let acked = 0;
    const load = Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) {
          const i = next++;
          const rule = SANDBOX_RULES[i % SANDBOX_RULES.length]!;
          const to = rule.suffix === null ? `+1999888${String(7000 + i)}` : `+1202555${rule.suffix}`;
          const m = await send(apis[i % 2]!.url, to, `scale-${i}`);
          expected.set(m.message_handle, FINAL[rule.behaviour]);
          acked++;
        }
      }),
    );

    // Mid-load, freeze worker 1 until it is caught holding leases: leases that outlive 300 ms
    // while worker 2 keeps finishing its own within milliseconds are worker 1's.
    await eventually(
      async () => acked >= total / 3,
      20_000,
      async () => `only ${acked} acknowledged`,
    );
    let orphaned = new Map<number, { until: number; handle: string }>();
    for (let tries = 0; tries < 50 && orphaned.size === 0; tries++) {
      worker1!.kill('SIGSTOP');
      const before = await leases();
      await sleep(300);
      const after = await leases();
      orphaned = new Map([...before].filter(([id, lease]) => after.get(id)?.until === lease.until));
      if (orphaned.size === 0) {
        worker1!.kill('SIGCONT');
        await sleep(20);
      }
    }
    expect(orphaned.size).toBeGreaterThan(0);
    worker1!.kill('SIGKILL');
    expect((await worker1!.exited).signal).toBe('SIGKILL');
    await load;
    expect(acked).toBe(total);

    // Drain with worker 2 alone: the orphaned jobs come back once their lease has expired.
    const describeState = async () =>
      JSON.stringify(
        (await sql.query('SELECT status, status_seq, count(*) FROM messages GROUP BY 1, 2 ORDER BY 1, 2')).rows,
      ) + ` jobs: ${JSON.stringify((await sql.query('SELECT id, kind, run_at, attempts FROM jobs LIMIT 5')).rows)}`;
    // Left at the end: only the never-confirmed messages' SMS fallback windows, due 60 s after their sends.
    const pending = 'SELECT count(*) AS n FROM jobs WHERE coalesce(payload, \'\') NOT LIKE \'%"step":"window"%\'';
    await eventually(
      async () => Number((await sql.query<{ n: string }>(pending)).rows[0]?.n) === 0,
      30_000,
      describeState,
    );
    const rows = (
      await sql.query<{ handle: string; status: string; status_seq: number }>(
        'SELECT handle, status, status_seq FROM messages WHERE is_outbound',
      )
    ).rows;
    expect(rows).toHaveLength(total);
    // Exactly once, in order: the final status, reached through every intermediate status once.
    // Even an orphaned SENT job holds back its DELIVERED, which is scheduled only once SENT is applied.
    for (const r of rows) {
      const want = expected.get(r.handle);
      expect(r.status, r.handle).toBe(want?.status);
      expect(r.status_seq, r.handle).toBe(want?.seq);
    }
    // No job outlived its lease unclaimed: each orphan was re-claimed (and finished) after expiry.
    const stillThere = await sql.query('SELECT id FROM jobs WHERE id = ANY($1::bigint[])', [[...orphaned.keys()]]);
    expect(stillThere.rowCount).toBe(0);

    // The survivors still answer, and the API reports the same history.
    const page = await fetch(`${api2!.url}/api/v2/messages?limit=1&is_outbound=true`, { headers: AUTH });
    expect(((await page.json()) as { pagination: { total: number } }).pagination.total).toBe(total);
    for (const p of [api1!, api2!, worker2!]) {
      p.kill('SIGTERM');
      expect(await p.exited).toEqual({ code: 0, signal: null });
    }
  });
});
