// Scenario: durable sends on PostgreSQL (synchronous_commit=on, group commit), against a
// throwaway cluster started for the run (or TAPBACK_BENCH_PG_URL, a superuser URL): one
// `--role all` process, then two `--role api` processes with one `--role worker` sharing the
// database, next to the SQLite send figure measured in the same run.
import pg from 'pg';
import { findPostgresBin, postgresVersion, startPostgresCluster } from '../scripts/pg-cluster.mjs';
import { load } from './lib/load.mjs';
import { KEY_ID, LINE, SECRET, startTapback } from './lib/processes.mjs';

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

/** Starts processes one role each; the first migrates and bootstraps, the others find it done. */
async function measure(adminUrl, name, roles, { connections, durationS }) {
  const databaseUrl = await freshDatabase(adminUrl, name);
  const procs = [];
  try {
    for (const role of roles) procs.push(await startTapback({ DATABASE_URL: databaseUrl, TAPBACK_ROLE: role }));
    const apis = procs.filter((_, i) => roles[i] !== 'worker').map((p) => p.url);
    await sendLoad(apis, { connections, durationS: 2 });
    return await sendLoad(apis, { connections, durationS });
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

export async function postgresScenario({ durationS = 10, connections = 50 } = {}) {
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
    const split = await measure(adminUrl, 'tapback_bench_split', ['api', 'api', 'worker'], { connections, durationS });
    const server = cluster ? postgresVersion() : 'TAPBACK_BENCH_PG_URL';
    const row = (subject, r, extra = {}) => ({ scenario: 'postgres', subject, connections, durationS, ...r, ...extra });
    return [
      row('tapback sqlite durable (same run)', sqlite),
      row('tapback postgres durable, 1 process', single, {
        ratio: Number((single.requestsPerSec / sqlite.requestsPerSec).toFixed(3)),
        server,
        target: 'group commit: ~3x one transaction per request (~4.2k req/s on this machine kind)',
      }),
      row('tapback postgres, 2 api + 1 worker', split, {
        ratio: Number((split.requestsPerSec / sqlite.requestsPerSec).toFixed(3)),
        server,
      }),
    ];
  } finally {
    cluster?.stop();
  }
}
