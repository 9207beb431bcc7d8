import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { TEST_POSTGRES_URL } from '../../test/test-database.js'
import { openDatabase } from './open-database.js'
import { PREPARED_MARK, preparingClient } from './prepared-statements.js'
import { isStoreUnavailable } from './store-unavailable.js'

// The pools here hold one connection unless said otherwise, so "the connection" is always the same
// one and what it has prepared can be read from pg_prepared_statements.

const MARKED = `${PREPARED_MARK}select id, label from items where id = $1`
const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** A schema of the test's own with `items(id, label)` holding the given rows. */
async function schemaWith(rows: [number, string][]): Promise<string> {
  const schema = `t_prep_${randomBytes(6).toString('hex')}`
  await admin(async (client) => {
    await client.query(`create schema ${schema}`)
    await client.query(`create table ${schema}.items (id integer primary key, label text not null)`)
    for (const [id, label] of rows) await client.query(`insert into ${schema}.items values ($1, $2)`, [id, label])
  })
  cleanups.push(() => admin(async (client) => void (await client.query(`drop schema ${schema} cascade`))))
  return schema
}

function poolOn(schema: string, max = 1): pg.Pool {
  const pool = new pg.Pool({
    connectionString: `${TEST_POSTGRES_URL}?application_name=${schema}`,
    options: `-c search_path=${schema}`,
    max,
    Client: preparingClient(pg.Client),
  })
  pool.on('error', () => {})
  cleanups.push(() => pool.end())
  return pool
}

async function prepared(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ statement: string }>('select statement from pg_prepared_statements order by prepare_time')
  return rows.map((row) => row.statement)
}

async function label(pool: pg.Pool, id: number): Promise<string | undefined> {
  const { rows } = await pool.query<{ label: string }>(MARKED, [id])
  return rows[0]?.label
}

describe('named prepared statements on PostgreSQL', () => {
  it('prepares a marked query once per connection and reuses it; unmarked queries stay unnamed', async () => {
    const pool = poolOn(await schemaWith([[1, 'one']]))
    for (let i = 0; i < 3; i++) expect(await label(pool, 1)).toBe('one')
    await pool.query('select label from items where id = $1', [1])
    expect(await prepared(pool)).toEqual([MARKED])
  })

  it('answers from the schema of the connection: the same text on two schemas never mixes their rows', async () => {
    const a = poolOn(await schemaWith([[1, 'a']]))
    const b = poolOn(await schemaWith([[1, 'b']]))
    for (let i = 0; i < 3; i++) {
      expect(await label(a, 1)).toBe('a')
      expect(await label(b, 1)).toBe('b')
    }
  })

  it('prepares again on the new connection after the backend was terminated', async () => {
    const schema = await schemaWith([[1, 'one']])
    const pool = poolOn(schema)
    expect(await label(pool, 1)).toBe('one')
    const terminated = await admin(
      async (client) =>
        (await client.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [schema])).rowCount,
    )
    expect(terminated).toBe(1)
    // The pool notices the dead connection on its own or on the next query (a store-unavailable
    // error); either way a fresh connection follows, which has prepared nothing yet.
    let answer: string | undefined
    for (let attempt = 0; attempt < 3 && answer === undefined; attempt++) {
      try {
        answer = await label(pool, 1)
      } catch (error) {
        expect(isStoreUnavailable(error)).toBe(true)
      }
    }
    expect(answer).toBe('one')
    expect(await prepared(pool)).toEqual([MARKED])
  })

  it('keeps answering when a migration changes a selected column type: outside a transaction at once', async () => {
    const schema = await schemaWith([[1, 'one']])
    const pool = poolOn(schema)
    expect(await label(pool, 1)).toBe('one')
    await admin((client) => client.query(`alter table ${schema}.items alter column label type varchar(40)`))
    expect(await label(pool, 1)).toBe('one')
    expect(await label(pool, 1)).toBe('one')
  })

  it('inside a transaction, fails that query once (the transaction is aborted), then prepares again', async () => {
    const schema = await schemaWith([[1, 'one']])
    const pool = poolOn(schema)
    expect(await label(pool, 1)).toBe('one')
    await admin((client) => client.query(`alter table ${schema}.items alter column label type varchar(40)`))
    const client = await pool.connect()
    try {
      await client.query('begin')
      await expect(client.query(MARKED, [1])).rejects.toMatchObject({ code: '0A000' })
      await client.query('rollback')
      await client.query('begin')
      expect((await client.query(MARKED, [1])).rows).toEqual([{ id: 1, label: 'one' }])
      await client.query('commit')
    } finally {
      client.release()
    }
  })

  it('answers each of many concurrent queries over several connections with its own row', async () => {
    const rows: [number, string][] = Array.from({ length: 50 }, (_, i) => [i, `label-${i}`])
    const pool = poolOn(await schemaWith(rows), 4)
    const ids = Array.from({ length: 400 }, (_, i) => i % 50)
    const answers = await Promise.all(ids.map((id) => label(pool, id)))
    expect(answers).toEqual(ids.map((id) => `label-${id}`))
    expect(await label(pool, 999)).toBeUndefined()
  })

  it('refuses nothing new: a failing marked query reports its error and the connection stays usable', async () => {
    const pool = poolOn(await schemaWith([[1, 'one']]))
    await expect(pool.query(`${PREPARED_MARK}select id from no_such_table where id = $1`, [1])).rejects.toMatchObject({ code: '42P01' })
    expect(await label(pool, 1)).toBe('one')
  })

  it('is on for a postgres:// database, and off with preparedStatements=off in its URL', async () => {
    const schema = await schemaWith([[1, 'one']])
    const statementsOf = async (url: string) => {
      const database = openDatabase(url)
      cleanups.push(() => database.db.destroy())
      const client = await (database.pool as pg.Pool).connect()
      try {
        expect((await client.query(MARKED, [1])).rows).toEqual([{ id: 1, label: 'one' }])
        return (await client.query('select statement from pg_prepared_statements')).rows.map((row) => row.statement)
      } finally {
        client.release()
      }
    }
    expect(await statementsOf(`${TEST_POSTGRES_URL}?schema=${schema}`)).toEqual([MARKED])
    expect(await statementsOf(`${TEST_POSTGRES_URL}?schema=${schema}&preparedStatements=off`)).toEqual([])
    expect(() => openDatabase(`${TEST_POSTGRES_URL}?preparedStatements=maybe`)).toThrow(/preparedStatements/)
  })
})
