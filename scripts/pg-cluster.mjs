// A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temporary directory,
// start it on a free loopback port, and remove every trace on stop. Used by the vitest global
// setup and by `npm run bench`; plain JavaScript so both can import it without a build.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** The directory holding initdb/pg_ctl: $TAPBACK_PG_BIN, then PATH, then Debian's layout. */
export function findPostgresBin(env = process.env) {
  const candidates = [];
  if (env.TAPBACK_PG_BIN) candidates.push(env.TAPBACK_PG_BIN);
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir) candidates.push(dir);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(debian, v, 'bin'));
  }
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  // A symlinked initdb (e.g. /usr/local/bin) names its real directory, where postgres lives too.
  return found === undefined ? null : dirname(realpathSync(join(found, 'initdb')));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * initdb refuses to run as root, so as root the cluster belongs to the `postgres` user (or
 * `nobody`) and its commands run through runuser.
 */
function runAsUser() {
  if (userInfo().uid !== 0) return null;
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const name of ['postgres', 'nobody']) {
    const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
    if (line) {
      const [, , uid, gid] = line.split(':');
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to own the cluster');
}

function run(user, file, args) {
  const [cmd, argv] = user ? ['runuser', ['-u', user.name, '--', file, ...args]] : [file, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * Starts a cluster and resolves to `{ url, stop }`; `url` connects as the superuser `postgres`
 * to the `postgres` database. fsync stays on: tests and benchmarks measure real commits.
 */
export async function startPostgresCluster({ binDir = findPostgresBin(), settings = {} } = {}) {
  if (binDir === null) throw new Error('PostgreSQL binaries not found');
  const user = runAsUser();
  const dir = mkdtempSync(join(tmpdir(), 'tapback-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const port = await freePort();
  try {
    run(user, join(binDir, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const options = {
      port,
      unix_socket_directories: dir,
      listen_addresses: '127.0.0.1',
      fsync: 'on',
      max_connections: 200,
      ...settings,
    };
    const o = Object.entries(options)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ');
    run(user, join(binDir, 'pg_ctl'), ['start', '-D', data, '-w', '-t', '60', '-l', log, '-o', o]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run(user, join(binDir, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']);
    } catch {
      // Already gone; the directory is removed either way.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop };
}

/** The server's version string, for reports (`psql` beside initdb). */
export function postgresVersion(binDir = findPostgresBin()) {
  if (binDir === null) return null;
  return execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
}
