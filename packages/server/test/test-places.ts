import { accessSync, constants } from 'node:fs'
import { tmpdir } from 'node:os'
import pg from 'pg'

/** The PostgreSQL every machine of ours has (trust auth); TESSERA_TEST_POSTGRES_URL overrides it. */
export const TEST_POSTGRES_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/**
 * Where test SQLite files go: a RAM file system (/dev/shm) where the machine has one, else the
 * system temp dir; TESSERA_TEST_TMPDIR overrides it. The code under test is unchanged (WAL,
 * synchronous=FULL, every fsync still issued); on RAM an fsync is free, while on the CI disk
 * migrating one file took 0.4–1.2 s instead of 0.1 s, and every commit of every test paid too.
 */
export const TEST_TMPDIR = process.env.TESSERA_TEST_TMPDIR ?? (writable('/dev/shm') ? '/dev/shm' : tmpdir())

/** The schema Tessera's tables live in inside a PostgreSQL template and its copies. */
export const TEMPLATE_SCHEMA = 'tessera'

export interface MigratedTemplates {
  /** Path of a migrated SQLite file, closed (no WAL beside it). */
  sqlite: string
  /** Name of a migrated PostgreSQL database that nobody stays connected to. */
  postgres: string
}

/** TEST_POSTGRES_URL with another database name. */
export function databaseUrl(name: string): string {
  const url = new URL(TEST_POSTGRES_URL)
  url.pathname = `/${name}`
  return url.toString()
}

/** Statements, one after the other, on a connection of their own (create or drop a schema or a database). */
export async function adminQuery(url: string, ...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    for (const statement of statements) await client.query(statement)
  } finally {
    await client.end()
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK)
    return true
  } catch {
    return false
  }
}
