import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // Migrates the template databases that each test's database is copied from (test/test-database.ts).
    globalSetup: ['packages/server/test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Every test sets up its own state; files run in parallel. Vitest's default is one worker per
    // core less one, which on the 2-core CI machine ran every file one after another; the suite
    // waits on PostgreSQL, child processes and sockets much of the time, so two workers there.
    fileParallelism: true,
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
})
