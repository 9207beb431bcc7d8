import { createHash } from 'node:crypto'
import { readdirSync, rmSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { TEST_POSTGRES_URL, TEST_TMPDIR } from './test-places.js'

/**
 * What a test run leaves on the machine, and how a later run tells it from a run still going.
 * Every PostgreSQL database and schema a run creates for its tests carries the run's tag (this
 * machine, and the pid of the vitest process that runs test/global-setup.ts), and its SQLite
 * files and data directories live in one directory named after it. A run removes its own when it
 * ends; a run that was killed cannot, so the next run removes what belongs to runs whose process is
 * gone, and never what belongs to one still going: several worktrees run tests on one machine at once.
 */
export interface TestRun {
  /** `<machine>_<pid>`: a hash of the host name (a PostgreSQL server may serve several machines) and the run's pid. */
  tag: string
  /** The run's directory under TEST_TMPDIR. */
  dir: string
}

const MACHINE = createHash('sha256').update(hostname()).digest('hex').slice(0, 8)

export function testRun(pid: number): TestRun {
  const tag = `${MACHINE}_${pid}`
  return { tag, dir: join(TEST_TMPDIR, `tessera-run-${tag}`) }
}

// What carries a tag: the run's directory, its databases (templates and the tests' copies) and the
// schemas of createTestDatabase inside TEST_POSTGRES_URL's database.
const TAGGED = {
  directory: /^tessera-run-([0-9a-f]{8})_(\d+)$/,
  database: /^tessera_(?:template|t)_([0-9a-f]{8})_(\d+)_[0-9a-f]+$/,
  schema: /^t_([0-9a-f]{8})_(\d+)_[0-9a-f]+$/,
}

/** The pid of the run of this machine that the directory, database or schema `name` belongs to; null when none does. */
export function runOf(kind: keyof typeof TAGGED, name: string): number | null {
  const tagged = TAGGED[kind].exec(name)
  return tagged !== null && tagged[1] === MACHINE ? Number(tagged[2]) : null
}

/** Whether process `pid` runs (EPERM: it does, as another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

export interface Places {
  tmpdir?: string
  postgresUrl?: string
}

/** Removes what runs of this machine whose process is gone left behind; returns what it removed. */
export function removeLeftovers(alive: (pid: number) => boolean = isAlive, places: Places = {}): Promise<string[]> {
  return removeRuns((pid) => !alive(pid), places)
}

/** Removes everything of the run with process `pid` (at the end of that run). */
export function removeRun(pid: number, places: Places = {}): Promise<string[]> {
  return removeRuns((other) => other === pid, places)
}

async function removeRuns(
  matches: (pid: number) => boolean,
  { tmpdir = TEST_TMPDIR, postgresUrl = TEST_POSTGRES_URL }: Places,
): Promise<string[]> {
  const ours = (kind: keyof typeof TAGGED) => (name: string) => {
    const pid = runOf(kind, name)
    return pid !== null && matches(pid)
  }
  const removed: string[] = []
  for (const name of readdirSync(tmpdir).filter(ours('directory'))) {
    rmSync(join(tmpdir, name), { recursive: true, force: true })
    removed.push(name)
  }
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  try {
    const databases = await client.query<{ name: string }>(`select datname as name from pg_database where datname like 'tessera\\_%'`)
    const schemas = await client.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like 't\\_%'`)
    const drops = [
      ...databases.rows
        .map((row) => row.name)
        .filter(ours('database'))
        .map((name) => [name, `drop database if exists ${name} with (force)`]),
      ...schemas.rows
        .map((row) => row.name)
        .filter(ours('schema'))
        .map((name) => [name, `drop schema if exists ${name} cascade`]),
    ]
    for (const [name, statement] of drops as [string, string][]) {
      try {
        await client.query(statement)
        removed.push(name)
      } catch {
        // Another run removing the same leftover at the same moment: it is gone either way, or the next run retries.
      }
    }
  } finally {
    await client.end()
  }
  return removed
}
