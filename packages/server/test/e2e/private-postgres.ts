import { execFile } from 'node:child_process'
import { chownSync, existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { testTempDir } from '../test-database.js'
import { freePort } from './free-port.js'

// A PostgreSQL cluster of the test's own (its own data directory and port), for tests that stop,
// restart or cut connections: never the shared server on 5432, which other tests use meanwhile.

const run = promisify(execFile)

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication, loopback only). */
  url: string
  port: number
  /** `pg_ctl stop -m fast`: every connection is closed, the port refuses new ones. */
  stop(): Promise<void>
  /** Starts the stopped cluster again on the same port. */
  start(): Promise<void>
  /** `pg_terminate_backend` on every client connection but the caller's; resolves with how many. */
  terminateConnections(): Promise<number>
  /** How many backends are waiting on LISTEN, per pg_stat_activity. */
  listeners(): Promise<number>
  /** Stops the cluster and removes its directory. */
  destroy(): Promise<void>
}

function binary(name: string): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : []
  for (const version of versions) {
    const path = join(root, version, 'bin', name)
    if (existsSync(path)) return path
  }
  throw new Error(`no PostgreSQL server binaries under ${root} (apt-get install postgresql)`)
}

/** PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user. */
async function asOwner(file: string, args: string[]): Promise<void> {
  const root = process.getuid?.() === 0
  await run(root ? 'runuser' : file, root ? ['-u', 'postgres', '--', file, ...args] : args, { timeout: 30_000 })
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = testTempDir('tessera-pg-')
  if (process.getuid?.() === 0) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), 0)
  const data = join(dir, 'data')
  await asOwner(binary('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'])
  const pgCtl = binary('pg_ctl')
  let port = 0
  const start = async () => {
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`
    await asOwner(pgCtl, ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '20', 'start'])
  }
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort()
    try {
      await start()
      break
    } catch (error) {
      if (attempt >= 3) throw error
    }
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const admin = async <T>(query: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url })
    client.on('error', () => {})
    await client.connect()
    try {
      return (await client.query(query)).rows as T[]
    } finally {
      await client.end()
    }
  }
  const stop = async () => {
    await asOwner(pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '20', 'stop'])
  }
  return {
    url,
    port,
    stop,
    start,
    async terminateConnections() {
      const rows = await admin<{ n: string }>(
        `select count(*) filter (where pg_terminate_backend(pid)) as n from pg_stat_activity
         where backend_type = 'client backend' and pid <> pg_backend_pid()`,
      )
      return Number(rows[0]?.n ?? 0)
    },
    async listeners() {
      const rows = await admin<{ n: string }>(
        `select count(*) as n from pg_stat_activity where backend_type = 'client backend' and query ilike 'listen %'`,
      )
      return Number(rows[0]?.n ?? 0)
    },
    async destroy() {
      await stop().catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
