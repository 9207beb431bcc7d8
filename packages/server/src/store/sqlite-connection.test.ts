import SQLite from 'better-sqlite3'
import { CompiledQuery } from 'kysely'
import { describe, expect, it } from 'vitest'
import { allRows, SqliteConnection } from './sqlite-connection.js'
import { withStatementCache } from './sqlite-statement-cache.js'

/**
 * The group commit's SQLite connection builds rows in JavaScript from raw values
 * (store/sqlite-connection.ts): every query must read exactly as through better-sqlite3's own rows.
 */
function open() {
  const sqlite = new SQLite(':memory:')
  sqlite.exec(`
    create table a (id integer primary key, name text, score real, data blob, note text);
    create table b (id integer primary key, a_id integer, name text);
    insert into a values (1, 'ann', 1.5, x'0102', null), (2, 'bob', -2, null, 'x');
    insert into b values (10, 1, 'first'), (11, 2, 'second');
  `)
  const statements = withStatementCache(sqlite)
  return { sqlite, statements, connection: new SqliteConnection(statements) }
}

describe('the SQLite connection under the group commit', () => {
  it('reads rows equal to better-sqlite3 own: the same keys in the same order, types and values, a repeated name last', async () => {
    const { sqlite, connection } = open()
    const sql =
      'select a.id, a.name, a.score, a.data, a.note, b.name, b.id as "b id" from a join b on b.a_id = a.id where a.id >= ? order by a.id'
    const expected = sqlite.prepare(sql).all(1) as Record<string, unknown>[]
    const { rows } = await connection.executeQuery<Record<string, unknown>>(CompiledQuery.raw(sql, [1]))
    expect(rows).toStrictEqual(expected)
    expect(rows.map((row) => Object.keys(row))).toEqual(expected.map((row) => Object.keys(row)))
    expect(rows[0]?.name).toBe('first')
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype)
  })

  it('reads a column named __proto__ as better-sqlite3 does (a blob there becomes the prototype)', async () => {
    const { sqlite, connection } = open()
    for (const sql of ['select name as "__proto__", id from a where id = ?', 'select data as "__proto__", id from a where id = ?']) {
      const [row] = (await connection.executeQuery<Record<string, unknown>>(CompiledQuery.raw(sql, [1]))).rows
      const expected = sqlite.prepare(sql).get(1) as object
      expect(Object.hasOwn(row as object, '__proto__')).toBe(Object.hasOwn(expected, '__proto__'))
      expect(Object.getPrototypeOf(row)).toStrictEqual(Object.getPrototypeOf(expected))
      expect(Object.keys(row as object)).toEqual(Object.keys(expected))
    }
  })

  it('leaves a shared statement returning objects after it read raw, even when the read failed', () => {
    const { statements } = open()
    const sql = 'select id, abs(?) as magnitude from a where id = 1'
    expect(allRows(statements.prepare(sql), [-3])).toEqual([{ id: 1, magnitude: 3 }])
    // abs() of the smallest 64-bit integer overflows while the statement steps.
    expect(() => allRows(statements.prepare(sql), [-9223372036854775808n])).toThrow(/overflow/)
    expect(statements.prepare(sql).all(-4)).toEqual([{ id: 1, magnitude: 4 }])
  })

  it('reads a cached "select *" by the columns it has after the schema changed (another process migrated)', () => {
    const { sqlite, statements } = open()
    const sql = 'select * from a where id = ?'
    expect(allRows(statements.prepare(sql), [1])).toEqual([{ id: 1, name: 'ann', score: 1.5, data: Buffer.from([1, 2]), note: null }])
    // SQLite prepares the cached statement again at its next step: "*" now names other columns.
    for (const change of ['alter table a drop column score', 'alter table a add column rank integer default 7']) {
      sqlite.exec(change)
      const expected = sqlite.prepare(sql).all(1)
      expect(allRows(statements.prepare(sql), [1]), change).toStrictEqual(expected)
    }
  })

  it('binds each parameter as one value, as the connection of Kysely does: a buffer as a blob, and an array is refused', async () => {
    const { connection } = open()
    await connection.executeQuery(CompiledQuery.raw('insert into a (id, data) values (?, ?)', [3, Buffer.from([7, 8])]))
    const { rows } = await connection.executeQuery<{ data: Buffer }>(CompiledQuery.raw('select data from a where id = ?', [3]))
    expect(rows[0]?.data).toEqual(Buffer.from([7, 8]))
    // Passed as arguments, ['bob'] would bind as 'bob' and find the row; as an array element it cannot bind.
    expect(() => connection.executeQuery(CompiledQuery.raw('select id from a where name = ?', [['bob']]))).toThrow()
    expect(() => connection.executeQuery(CompiledQuery.raw('update a set note = ? where name = ?', ['y', ['bob']]))).toThrow()
  })
})
