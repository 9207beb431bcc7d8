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
    // Each worker process runs file after file without starting a fresh process and module graph
    // for every one: importing the server's modules again cost about 1 s of CPU per file (30 files,
    // 2 rounds each way at load average 13-15: 51.4 and 46.1 s of CPU with isolation, 21.7 and 20.8 s
    // without; 145 tests passing either way). Safe because every test builds its own server, database
    // and clock, the one fake-timer test restores real timers after each test, and no test mocks a
    // module (vi.mock) or changes process.env. A test that needs a module of its own must not rely on
    // module state a previous file left.
    isolate: false,
  },
})
