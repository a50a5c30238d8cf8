// Scenario: durable sends on PostgreSQL (synchronous_commit=on, group commit), against a
// throwaway cluster started for the run (or TAPBACK_BENCH_PG_URL, a superuser URL): one
// `--role all` process, then two `--role all` processes sharing the database, next to the SQLite
// send figure measured in the same run; then end to end (as e2e.mjs) with one and two processes.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { findPostgresBin, postgresVersion, startPostgresCluster } from '../scripts/pg-cluster.mjs';
import { load } from './lib/load.mjs';
import { KEY_ID, LINE, SECRET, startTapback } from './lib/processes.mjs';
import { e2eLoad, startReceiver } from './lib/e2e-load.mjs';
import { E2E_ENV } from './e2e.mjs';

const body = JSON.stringify({ number: '+19998887777', from_number: LINE, content: 'Benchmark message' });
const headers = { 'content-type': 'application/json', 'sb-api-key-id': KEY_ID, 'sb-api-secret-key': SECRET };

async function sendLoad(urls, { connections, durationS }) {
  const per = Math.max(1, Math.floor(connections / urls.length));
  const runs = await Promise.all(
    urls.map((url) =>
      load({ url: `${url}/api/send-message`, method: 'POST', headers, body, connections: per, durationS }),
    ),
  );
  return {
    requestsPerSec: runs.reduce((n, r) => n + r.requestsPerSec, 0),
    p50Ms: Math.max(...runs.map((r) => r.p50Ms)),
    p99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    total: runs.reduce((n, r) => n + r.total, 0),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
}

async function freshDatabase(adminUrl, name) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Starts processes one role each (the first migrates and bootstraps, the others find it done),
 * then runs `work` with the API processes' URLs.
 */
async function withProcesses(adminUrl, name, roles, work) {
  const databaseUrl = await freshDatabase(adminUrl, name);
  // PostgreSQL requires the key that seals stored secrets, the same in every process.
  const secretKey = randomBytes(32).toString('base64');
  const procs = [];
  try {
    for (const role of roles) {
      procs.push(
        await startTapback({
          ...E2E_ENV,
          DATABASE_URL: databaseUrl,
          TAPBACK_ROLE: role,
          TAPBACK_SECRET_KEY: secretKey,
        }),
      );
    }
    return await work(procs.filter((_, i) => roles[i] !== 'worker').map((p) => p.url));
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

function measure(adminUrl, name, roles, { connections, durationS }) {
  return withProcesses(adminUrl, name, roles, async (apis) => {
    await sendLoad(apis, { connections, durationS: 2 });
    return sendLoad(apis, { connections, durationS });
  });
}

/** End to end, as in e2e.mjs: `rate` sends/s offered, both callbacks to a local receiver. */
function measureE2E(adminUrl, name, roles, receiver, { rate, durationS }) {
  return withProcesses(adminUrl, name, roles, async (apis) => {
    await e2eLoad({ urls: apis, receiver, rate: rate / 4, durationS: 2, drainS: 10 });
    return e2eLoad({ urls: apis, receiver, rate, durationS, drainS: 15 });
  });
}

export async function postgresScenario({ durationS = 10, connections = 50, rate = 5000, e2eDurationS = 15 } = {}) {
  let cluster;
  let adminUrl = process.env.TAPBACK_BENCH_PG_URL;
  if (!adminUrl) {
    if (findPostgresBin() === null) {
      process.stderr.write('postgres: PostgreSQL binaries not found, skipping (or set TAPBACK_BENCH_PG_URL)\n');
      return [];
    }
    cluster = await startPostgresCluster({ settings: { max_connections: 100, shared_buffers: '256MB' } });
    adminUrl = cluster.url;
  }
  try {
    const sqlite = await (async () => {
      const proc = await startTapback();
      try {
        await sendLoad([proc.url], { connections, durationS: 2 });
        return await sendLoad([proc.url], { connections, durationS });
      } finally {
        await proc.stop();
      }
    })();
    const single = await measure(adminUrl, 'tapback_bench_all', ['all'], { connections, durationS });
    const split = await measure(adminUrl, 'tapback_bench_split', ['all', 'all'], { connections, durationS });
    const receiver = await startReceiver();
    let e2eSingle;
    let e2eSplit;
    try {
      e2eSingle = await measureE2E(adminUrl, 'tapback_bench_e2e_all', ['all'], receiver, {
        rate,
        durationS: e2eDurationS,
      });
      e2eSplit = await measureE2E(adminUrl, 'tapback_bench_e2e_split', ['all', 'all'], receiver, {
        rate,
        durationS: e2eDurationS,
      });
    } finally {
      await receiver.close();
    }
    const server = cluster ? postgresVersion() : 'TAPBACK_BENCH_PG_URL';
    const row = (subject, r, extra = {}) => ({ scenario: 'postgres', subject, connections, durationS, ...r, ...extra });
    return [
      row('tapback sqlite durable (same run)', sqlite),
      row('tapback postgres durable, 1 process', single, {
        ratio: Number((single.requestsPerSec / sqlite.requestsPerSec).toFixed(3)),
        server,
        target: 'group commit: ~3x one transaction per request (~4.2k req/s on this machine kind)',
      }),
      row('tapback postgres durable, 2 processes (each api + worker)', split, {
        ratio: Number((split.requestsPerSec / sqlite.requestsPerSec).toFixed(3)),
        server,
      }),
      ...[
        ['1 process', e2eSingle],
        ['2 processes', e2eSplit],
      ].map(([label, r]) =>
        row(`tapback postgres e2e, ${rate}/s offered, ${label}`, {
          requestsPerSec: r.deliveredPerSec,
          p50Ms: r.latencyP50Ms,
          p99Ms: r.latencyP99Ms,
          ...r,
          durationS: e2eDurationS,
          server,
        }),
      ),
    ];
  } finally {
    cluster?.stop();
  }
}
