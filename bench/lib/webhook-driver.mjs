// One side of the webhook benchmark, in its own process: delivers `count` message-sized JSON
// bodies to `url` with `concurrency` requests in flight, either through Tapback's webhook
// dispatcher (SQLite outbox, Standard Webhooks signing, undici with the SSRF guard, every
// attempt recorded) or with a bare node:http client. Prints one JSON line with the figures.
// Usage: node bench/lib/webhook-driver.mjs tapback|bare <url> <count> <concurrency>
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';

const [mode, url, countArg, concurrencyArg] = process.argv.slice(2);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const dist = new URL('../../packages/server/dist/', import.meta.url);

const now = new Date().toISOString();
const body = JSON.stringify({
  accountEmail: 'dev@tapback.local',
  account_email: 'dev@tapback.local',
  content: 'Benchmark message',
  is_outbound: true,
  status: 'DELIVERED',
  error_code: null,
  error_message: null,
  error_reason: null,
  error_detail: null,
  message_handle: '019a0000-0000-7000-8000-000000000000',
  date_created: now,
  date_sent: now,
  date_updated: now,
  from_number: '+15550001000',
  number: '+19998887777',
  to_number: '+19998887777',
  sendblue_number: '+15550001000',
  was_downgraded: null,
  plan: 'dedicated',
  media_url: '',
  message_type: 'message',
  group_id: '',
  participants: [],
  group_display_name: '',
  send_style: '',
  opted_out: false,
  service: 'iMessage',
  status_sequence: 2,
});

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function bare() {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let next = 0;
  const post = () =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await post();
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { elapsedMs, latencies };
}

async function tapback() {
  const { createSqliteStore } = await import(new URL('store/sqlite/sqlite-store.js', dist));
  const { Dispatcher } = await import(new URL('webhooks/dispatcher.js', dist));
  const { HttpSender } = await import(new URL('webhooks/http-sender.js', dist));
  const { AddressPolicy } = await import(new URL('webhooks/ssrf-guard.js', dist));
  const { SystemClock } = await import(new URL('domain/clock.js', dist));
  const dir = mkdtempSync(join(tmpdir(), 'tapback-bench-webhooks-'));
  try {
    const file = join(dir, 'bench.db');
    const store = createSqliteStore(file);
    await store.migrate();
    const account = await store.createAccount({ email: 'bench@tapback.local', now: Date.now() });
    for (let i = 0; i < count; i += 1000) {
      const n = Math.min(1000, count - i);
      await store.enqueueWebhooks(
        Array.from({ length: n }, () => ({
          accountId: account.id,
          kind: 'status_callback',
          endpointId: null,
          url,
          messageId: null,
          messageHandle: null,
          statusSeq: null,
          payload: body,
        })),
        Date.now(),
      );
    }
    const sender = new HttpSender({
      policy: new AddressPolicy(['127.0.0.0/8']),
      timeoutMs: 15_000,
      userAgent: 'bench',
    });
    const dispatcher = new Dispatcher({
      store,
      clock: new SystemClock(),
      sender,
      logger: pino({ level: 'warn' }),
      settings: {
        timeoutMs: 15_000,
        retrySchedule: [0, 5000],
        concurrency,
        concurrencyPerDestination: concurrency,
        concurrencyPerAccount: concurrency,
        pollMs: 1000,
      },
    });
    const started = performance.now();
    await dispatcher.runDue();
    const elapsedMs = performance.now() - started;
    await sender.close();
    await store.close();
    const db = new Database(file, { readonly: true });
    const latencies = db
      .prepare('SELECT duration_ms AS d FROM webhook_attempts')
      .all()
      .map((r) => r.d);
    const succeeded = db.prepare("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'").get().n;
    db.close();
    if (succeeded !== count) throw new Error(`only ${succeeded} of ${count} deliveries succeeded`);
    return { elapsedMs, latencies };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { elapsedMs, latencies } = mode === 'bare' ? await bare() : await tapback();
latencies.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    mode,
    count,
    concurrency,
    elapsedMs: Math.round(elapsedMs),
    perSec: Math.round((count / elapsedMs) * 1000),
    p50Ms: Math.round(percentile(latencies, 0.5) * 10) / 10,
    p99Ms: Math.round(percentile(latencies, 0.99) * 10) / 10,
  })}\n`,
);
