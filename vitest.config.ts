import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The packaging test installs the packed tarballs with npm (better-sqlite3 compiles from source):
 * minutes of both cores. It runs alone, after the rest (`vitest.packaging.config.ts`), so that
 * timing-sensitive tests never share the machine with a compiler.
 */
export const PACKAGING_TEST = 'packages/server/test/packaging.test.ts';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, PACKAGING_TEST],
    // Tests spawn servers and use real SQLite files; a few workers keep 2 cores busy without thrashing.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Starts a throwaway PostgreSQL cluster when binaries are found (or uses TAPBACK_TEST_PG_URL).
    globalSetup: ['scripts/vitest-postgres-setup.mjs'],
    // A stray `.only` would silently skip the rest of the suite: CI refuses it (.ci/run sets CI).
    allowOnly: !process.env.CI,
  },
});
