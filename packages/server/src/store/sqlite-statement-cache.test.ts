import SQLite from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { withStatementCache } from './sqlite-statement-cache.js'

function openMemory() {
  const sqlite = new SQLite(':memory:')
  sqlite.exec('create table t (id integer primary key, v text)')
  return sqlite
}

describe('SQLite statement cache', () => {
  it('prepares a SQL text once and reuses the statement with new parameters', () => {
    const db = withStatementCache(openMemory())
    const insert = db.prepare('insert into t (v) values (?)')
    insert.run(['a'])
    expect(db.prepare('insert into t (v) values (?)')).toBe(insert)
    db.prepare('insert into t (v) values (?)').run(['b'])
    expect(db.prepare('select v from t where v = ?').all(['b'])).toEqual([{ v: 'b' }])
    expect(db.prepare('select v from t where v = ?').all(['a'])).toEqual([{ v: 'a' }])
  })

  it('gives a fresh statement while the cached one is still iterating', () => {
    const db = withStatementCache(openMemory())
    db.prepare('insert into t (v) values (?)').run(['a'])
    db.prepare('insert into t (v) values (?)').run(['b'])
    const sql = 'select v from t order by id'
    const iterating = db.prepare(sql)
    const rows = iterating.iterate([])
    rows.next()
    const other = db.prepare(sql)
    expect(other).not.toBe(iterating)
    expect(other.all([])).toEqual([{ v: 'a' }, { v: 'b' }])
    expect([...rows]).toEqual([{ v: 'b' }])
  })

  it('still sees a column added after the statement was cached', () => {
    const sqlite = openMemory()
    const db = withStatementCache(sqlite)
    db.prepare('insert into t (v) values (?)').run(['a'])
    expect(db.prepare('select * from t').all([])).toEqual([{ id: 1, v: 'a' }])
    sqlite.exec("alter table t add column w text default 'x'")
    expect(db.prepare('select * from t').all([])).toEqual([{ id: 1, v: 'a', w: 'x' }])
  })

  it('closes the underlying database', () => {
    const sqlite = openMemory()
    withStatementCache(sqlite).close()
    expect(sqlite.open).toBe(false)
  })
})
