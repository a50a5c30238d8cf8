// Scenario: GET /api/v2/contacts (the SDK's contacts.list, newest first, exact total in
// `x-total-count`), limit 50, at 100,000 saved contacts in one account: the first page and the
// deepest page the route serves (offset 10,000, its maximum; it pages by offset, no cursor).
// Baselines, same run: the same pages at 1,000 contacts (the ratio shows what the size alone costs;
// the deep page there is the last full one, offset 950) and, on the 100,000-contact server, the
// messages list (GET /api/v2/messages?limit=50 over 10,000 messages of the same account).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from './lib/load.mjs';
import { cpuPerThousand } from './lib/proc-cpu.mjs';
import { pause, resume, stopPaused } from './lib/process-pause.mjs';
import { KEY_ID, SECRET, startTapback } from './lib/processes.mjs';
import { seedContacts } from './lib/seed-contacts.mjs';
import { seedHistory } from './lib/seed.mjs';

const HEADERS = { 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };
const LIMIT = 50;
const MAX_OFFSET = 10_000;

/** A migrated file with 10,000 messages and `contacts` saved contacts in the bootstrap account. */
async function seeded(contacts) {
  const dir = mkdtempSync(join(tmpdir(), 'tapback-bench-contacts-'));
  const path = join(dir, 'bench.db');
  await seedHistory(path, { messages: 10_000, accounts: 1, contacts: 100 });
  const seeding = seedContacts(path, { contacts });
  return { path, seeding, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Fails the run if `path` does not answer a full page and, for contacts, the exact total. */
async function checkPage(url, path, total) {
  const res = await fetch(`${url}${path}`, { headers: HEADERS });
  const body = await res.json();
  const rows = Array.isArray(body) ? body : body.data;
  if (!res.ok || !Array.isArray(rows) || rows.length !== LIMIT) {
    throw new Error(`GET ${path} -> ${res.status}, ${Array.isArray(rows) ? rows.length : 'no'} rows`);
  }
  const counted = res.headers.get('x-total-count');
  if (total !== undefined && counted !== String(total)) {
    throw new Error(`GET ${path}: x-total-count ${counted}, expected ${total}`);
  }
}

export async function contactsScenario({ durationS = 3, connections = 10, quick = false } = {}) {
  const measureS = quick ? 2 : durationS;
  const warmS = quick ? 0.5 : 1;
  const sizes = [1_000, 100_000];
  const files = await Promise.all(sizes.map((n) => seeded(n)));
  const servers = await Promise.all(
    files.map((f) => startTapback({ TAPBACK_LIST_RATE_MAX: '1000000' }, { dbPath: f.path })),
  );
  const get = (url, path, s) => load({ url: `${url}${path}`, headers: HEADERS, connections, durationS: s });
  /** A measured load, with the server's CPU per request (steadier than req/s on a shared machine). */
  const measure = async (server, path) => {
    const { result, cpu } = await cpuPerThousand(
      server.pid,
      () => get(server.url, path, measureS),
      (r) => r.total,
    );
    return { ...result, cpuMsPerRequest: cpu === null ? null : Math.round(cpu.mainMsPerK + cpu.otherMsPerK) / 1000 };
  };
  const first = `/api/v2/contacts?limit=${LIMIT}`;
  const deepOffset = (n) => Math.min(MAX_OFFSET, n - LIMIT);
  const deep = (n) => `/api/v2/contacts?limit=${LIMIT}&offset=${deepOffset(n)}`;
  const messages = `/api/v2/messages?limit=${LIMIT}`;
  const figures = [];
  try {
    servers.forEach(pause);
    for (const [i, n] of sizes.entries()) {
      const server = servers[i];
      resume(server);
      await checkPage(server.url, first, n);
      await checkPage(server.url, deep(n), n);
      await checkPage(server.url, messages);
      await get(server.url, first, warmS);
      figures.push({
        contacts: n,
        seededRowsPerSec: files[i].seeding.rowsPerSec,
        first: await measure(server, first),
        deep: await measure(server, deep(n)),
        messages: n === 100_000 ? await measure(server, messages) : undefined,
      });
      pause(server);
    }
  } finally {
    await Promise.all(servers.map(stopPaused));
    for (const f of files) f.remove();
  }
  const [small, large] = figures;
  const common = { scenario: 'contacts', connections, durationS: measureS, limit: LIMIT };
  const p99Ratio = (a, b) => Number((a.p99Ms / Math.max(b.p99Ms, 1)).toFixed(2));
  const cpuRatio = (a, b) =>
    a.cpuMsPerRequest === null || !b.cpuMsPerRequest
      ? null
      : Number((a.cpuMsPerRequest / b.cpuMsPerRequest).toFixed(2));
  const perSecRatio = (a, b) => Number((a.requestsPerSec / Math.max(b.requestsPerSec, 1)).toFixed(3));
  return [
    { ...common, subject: 'contacts.list first page, 1k contacts', ...small.first },
    { ...common, subject: `contacts.list offset ${deepOffset(1_000)}, 1k contacts`, ...small.deep },
    {
      ...common,
      subject: 'messages.list first page, 10k messages (100k-contact server)',
      ...large.messages,
    },
    {
      ...common,
      subject: 'contacts.list first page, 100k contacts',
      ...large.first,
      seededRowsPerSec: large.seededRowsPerSec,
      ratio: p99Ratio(large.first, small.first),
      ratioOf: 'p99 at 100k / p99 at 1k',
      requestsPerSecRatio: perSecRatio(large.first, small.first),
      cpuPerRequestRatio: cpuRatio(large.first, small.first),
      requestsPerSecRatioToMessages: perSecRatio(large.first, large.messages),
    },
    {
      ...common,
      subject: `contacts.list offset ${MAX_OFFSET}, 100k contacts`,
      ...large.deep,
      ratio: p99Ratio(large.deep, small.deep),
      ratioOf: `p99 at 100k offset ${MAX_OFFSET} / p99 at 1k offset ${deepOffset(1_000)}`,
      requestsPerSecRatio: perSecRatio(large.deep, small.deep),
      cpuPerRequestRatio: cpuRatio(large.deep, small.deep),
      requestsPerSecRatioToMessages: perSecRatio(large.deep, large.messages),
    },
  ];
}
