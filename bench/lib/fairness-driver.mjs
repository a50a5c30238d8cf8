// One run of the webhook fairness benchmark, in its own process: a Tapback server (SQLite, real
// HTTP on loopback) with two accounts. With `hang`, account A first queues deliveries to 30 hosts
// (20 outbound entries, 10 status-callback hosts) that accept connections and never answer; with
// `idle`, A sends nothing. Then account B sends `count` messages with a status callback to a
// healthy receiver, and the latency of each of B's callbacks (send accepted to callback arrived)
// is measured. Prints one JSON line with the figures.
// Usage: node bench/lib/fairness-driver.mjs hang|idle <count>
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';

const [mode, countArg] = process.argv.slice(2);
const count = Number(countArg);
const dist = new URL('../../packages/server/dist/', import.meta.url);
const { loadConfig } = await import(new URL('config/config.js', dist).href);
const { startServer } = await import(new URL('main.js', dist).href);
const { createKeyPair } = await import(new URL('accounts/credentials.js', dist).href);

const HUNG_OUTBOUND = 20;
const HUNG_CALLBACKS = 10;
const A_MESSAGES = 20;
const CONTACT = '+19998887777';
const DEADLINE_MS = 60_000;

async function receiver(onRequest) {
  const sockets = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => onRequest(Buffer.concat(chunks).toString(), res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tapback-fairness-'));
const config = loadConfig({
  env: {
    DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    TAPBACK_PORT: '0',
    TAPBACK_LOG_LEVEL: 'warn',
    TAPBACK_SANDBOX_SENT_DELAY_MS: '0',
    TAPBACK_SANDBOX_DELIVERED_DELAY_MS: '0',
    // Longer than the run: every hung attempt keeps its slot throughout.
    TAPBACK_WEBHOOK_TIMEOUT_MS: '120000',
    TAPBACK_BOOTSTRAP_API_KEY_ID: 'bench-key-id-0001',
    TAPBACK_BOOTSTRAP_API_SECRET: 'bench-secret-0001-abcdefghijklmnop-0123456789',
    TAPBACK_BOOTSTRAP_LINE: '+15550001000',
  },
});
const server = await startServer(config, pino({ level: 'warn' }));
const authA = { 'sb-api-key-id': 'bench-key-id-0001', 'sb-api-secret-key': config.bootstrap.apiSecret };
const { store } = server;
const accountB = await store.createAccount({ email: 'b@bench.local', now: Date.now() });
const pair = await createKeyPair(store, accountB.id, Date.now());
const lineB = '+15550003000';
await store.addLine({ accountId: accountB.id, number: lineB, provider: 'sandbox', now: Date.now() });
const authB = { 'sb-api-key-id': pair.key.keyId, 'sb-api-secret-key': pair.secret };

async function api(auth, path, body) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const hung = [];
if (mode === 'hang') {
  for (let i = 0; i < HUNG_OUTBOUND + HUNG_CALLBACKS; i++) hung.push(await receiver(() => undefined));
  await api(authA, '/api/account/webhooks', {
    type: 'outbound',
    webhooks: hung.slice(0, HUNG_OUTBOUND).map((r) => `${r.url}/out`),
  });
  for (let i = 0; i < A_MESSAGES; i++) {
    await api(authA, '/api/send-message', {
      number: CONTACT,
      from_number: '+15550001000',
      content: `a ${i}`,
      status_callback: `${hung[HUNG_OUTBOUND + (i % HUNG_CALLBACKS)].url}/cb`,
    });
  }
  // A's attempts are in flight and hanging before B sends anything.
  const until = Date.now() + 10_000;
  while (server.dispatcher.busy < config.webhooks.concurrencyPerAccount && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
  }
}
const hungInFlight = server.dispatcher.busy;

const sentAt = new Map();
const latencies = [];
let resolveDone;
const done = new Promise((resolve) => (resolveDone = resolve));
const healthy = await receiver((body, res) => {
  const at = Date.now();
  res.writeHead(204).end();
  const handle = JSON.parse(body).message_handle;
  latencies.push(at - sentAt.get(handle));
  if (latencies.length >= count * 2) resolveDone();
});
const started = Date.now();
for (let i = 0; i < count; i++) {
  const t = Date.now();
  const r = await api(authB, '/api/send-message', {
    number: CONTACT,
    from_number: lineB,
    content: `b ${i}`,
    status_callback: `${healthy.url}/cb`,
  });
  sentAt.set(r.message_handle, t);
}
let deadline;
const timedOut = await Promise.race([
  done.then(() => false),
  new Promise((r) => (deadline = setTimeout(() => r(true), DEADLINE_MS))),
]);
clearTimeout(deadline);
const elapsedMs = Date.now() - started;
latencies.sort((x, y) => x - y);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? null;
for (const r of [...hung, healthy]) await r.close();
await server.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ mode, count, callbacks: latencies.length, timedOut, elapsedMs, hungInFlight, p50Ms: pct(50), p99Ms: pct(99), maxMs: latencies.at(-1) ?? null })}\n`,
);
