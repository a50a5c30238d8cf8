import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
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
