// Vitest global setup: gives the test run a PostgreSQL server, so the store contract suite and the
// server tests run on both backends. TAPBACK_TEST_PG_URL names an existing server (a superuser
// URL; each test creates and drops its own database or schema there); otherwise, when PostgreSQL
// binaries are found, a throwaway cluster is started for the run and removed afterwards. With
// neither, the PostgreSQL half is skipped, and says so, unless TAPBACK_TEST_REQUIRE_PG=1 (CI).
import { findPostgresBin, startPostgresCluster } from './pg-cluster.mjs';

let cluster;

export async function setup(project) {
  const given = process.env.TAPBACK_TEST_PG_URL;
  if (given) {
    project.provide('tapbackPostgresUrl', given);
    return;
  }
  const binDir = process.env.TAPBACK_TEST_PG === 'off' ? null : findPostgresBin();
  if (binDir === null) {
    const why = process.env.TAPBACK_TEST_PG === 'off' ? 'TAPBACK_TEST_PG=off' : 'PostgreSQL binaries not found';
    if (process.env.TAPBACK_TEST_REQUIRE_PG === '1') {
      throw new Error(`${why}, and TAPBACK_TEST_REQUIRE_PG=1 requires the PostgreSQL half of the tests`);
    }
    process.stdout.write(
      `\n  ${why}: skipping the PostgreSQL half of the tests (SQLite only).\n` +
        '  Install PostgreSQL (e.g. apt-get install postgresql) or set TAPBACK_TEST_PG_URL to run it.\n\n',
    );
    project.provide('tapbackPostgresUrl', null);
    return;
  }
  const started = Date.now();
  cluster = await startPostgresCluster({ binDir });
  // A crashed run must not leave a postmaster behind.
  process.once('exit', () => cluster?.stop());
  process.stdout.write(
    `\n  PostgreSQL: throwaway cluster from ${binDir} on port ${cluster.port} (${Date.now() - started} ms)\n\n`,
  );
  project.provide('tapbackPostgresUrl', cluster.url);
}

export async function teardown() {
  cluster?.stop();
  cluster = undefined;
}
