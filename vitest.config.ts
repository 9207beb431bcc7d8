import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // Migrates the template databases that each test's database is copied from (test/test-database.ts).
    globalSetup: ['packages/server/test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Every test sets up its own state; files run in parallel on every core.
    fileParallelism: true,
  },
})
