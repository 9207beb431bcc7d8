import { rmSync } from 'node:fs'
import { afterEach, beforeEach, expect } from 'vitest'
import type { DialectName } from '../src/store/open-database.js'
import { cli, type Env, jsonErrorCode, oneJsonObject } from './cli-harness.js'
import { createMigratedTestDatabase, createTestDatabase, type TestDatabase, testTempDir } from './test-database.js'

/** What each test of a CLI suite gets afresh: its own database and data directory, and the two ways to call the CLI. */
export interface CliFixture {
  /** The environment the CLI runs with; a test may replace it (add settings) for its own calls. */
  env: Env
  database: TestDatabase
  dataDir: string
  /** Runs `tessera … --json`, expects exit 0 and returns its one JSON object. */
  ok(argv: string[], stdin?: string): Promise<Record<string, unknown>>
  /** Runs `tessera … --json` that is refused: its exit code and the error code it printed. */
  refused(argv: string[], stdin?: string): Promise<{ code: number; error: string }>
}

/**
 * Call inside a `describe`: before each test, a fresh database of `dialect` and data directory,
 * both removed after it. Hooks a test file adds later run after this one's set-up and before its
 * removal (vitest runs after-hooks in reverse), so they may still use the database.
 * The database is already migrated (a copy of the run's template), as after any first command;
 * `schema: 'empty'` gives a database nothing has touched, for the tests of `tessera migrate`.
 */
export function useCliFixture(
  dialect: DialectName = 'sqlite',
  dataDirPrefix = 'tessera-cli-',
  { schema = 'migrated' }: { schema?: 'migrated' | 'empty' } = {},
): CliFixture {
  const fixture = {
    ok: async (argv: string[], stdin = '') => {
      const result = await cli(fixture.env, [...argv, '--json'], stdin)
      expect(result.code, result.stderr).toBe(0)
      return oneJsonObject(result.stdout)
    },
    refused: async (argv: string[], stdin = '') => {
      const result = await cli(fixture.env, [...argv, '--json'], stdin)
      return { code: result.code, error: jsonErrorCode(result) }
    },
  } as CliFixture
  beforeEach(async () => {
    fixture.database = schema === 'empty' ? createTestDatabase(dialect) : await createMigratedTestDatabase(dialect)
    fixture.dataDir = testTempDir(dataDirPrefix)
    fixture.env = { TESSERA_DATABASE_URL: fixture.database.url, TESSERA_DATA_DIR: fixture.dataDir }
  })
  afterEach(async () => {
    await fixture.database.drop()
    rmSync(fixture.dataDir, { recursive: true, force: true })
  })
  return fixture
}
