import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { CompiledQuery } from 'kysely'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type OpenDatabase, openDatabase } from './open-database.js'
import { type ChangeWatch, sameStamp } from './sqlite-change-stamp.js'

// The stamp read caches on SQLite trust (docs/architecture.md §12, "Read caches on SQLite"): with a
// WAL it reads the wal-index header, so every commit of every connection must move it.

function openInTempDir(name = 'tessera.db', through?: string): { database: OpenDatabase; file: string; watch: ChangeWatch } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-stamp-'))
  const file = join(dir, name)
  let opened = file
  if (through !== undefined) {
    // The server names the file through a symbolic link; SQLite keeps its -shm next to the target.
    opened = join(dir, through)
    new SQLite(file).close()
    symlinkSync(file, opened)
  }
  const database = openDatabase(`sqlite:${opened}`)
  onTestFinished(async () => {
    await database.db.destroy()
    rmSync(dir, { recursive: true, force: true })
  })
  const watch = database.changes as ChangeWatch
  return { database, file, watch }
}

const SELECT_ONE = CompiledQuery.raw('select 1')

/** Another process's connection to the same file (the CLI beside the server), with a table to write. */
function otherConnection(file: string): SQLite.Database {
  const other = new SQLite(file)
  other.pragma('busy_timeout = 5000')
  other.exec('create table if not exists notes (id integer primary key, body text)')
  onTestFinished(() => {
    other.close()
  })
  return other
}

describe('change stamp of a SQLite database', () => {
  it("moves on another connection's commit, and not on its reads", () => {
    const { file, watch } = openInTempDir()
    const other = otherConnection(file)
    const before = watch.stamp()
    expect(sameStamp(watch.stamp(), before)).toBe(true)
    other.prepare('select count(*) from notes').get()
    expect(sameStamp(watch.stamp(), before)).toBe(true)
    other.prepare('insert into notes (body) values (?)').run('one')
    const after = watch.stamp()
    expect(sameStamp(after, before)).toBe(false)
    // And again for a commit that only changes a row in place.
    other.prepare('update notes set body = ? where id = 1').run('two')
    expect(sameStamp(watch.stamp(), after)).toBe(false)
  })

  it('moves on a commit after a checkpoint restarted the WAL', () => {
    const { file, watch } = openInTempDir()
    const other = otherConnection(file)
    other.prepare('insert into notes (body) values (?)').run('one')
    other.pragma('wal_checkpoint(TRUNCATE)')
    const before = watch.stamp()
    other.prepare('insert into notes (body) values (?)').run('two')
    expect(sameStamp(watch.stamp(), before)).toBe(false)
  })

  it("moves on another connection's commit when the server opened the file through a symbolic link", () => {
    const { file, watch } = openInTempDir('real.db', 'linked.db')
    const other = otherConnection(file)
    const before = watch.stamp()
    other.prepare('insert into notes (body) values (?)').run('one')
    expect(sameStamp(watch.stamp(), before)).toBe(false)
  })

  it("moves on this process's own statements that may write, before they commit", async () => {
    const { database, watch } = openInTempDir()
    const before = watch.stamp()
    await database.db.executeQuery(SELECT_ONE)
    expect(sameStamp(watch.stamp(), before)).toBe(true)
    await database.db.executeQuery(CompiledQuery.raw('create table mine (id integer)'))
    expect(sameStamp(watch.stamp(), before)).toBe(false)
  })

  it('refuses to stamp once the database is closed, so a cache reads the store instead', async () => {
    const { database, file, watch } = openInTempDir()
    // Another connection keeps the -shm file and its header after this one closed.
    otherConnection(file)
    await database.db.executeQuery(SELECT_ONE)
    watch.stamp()
    await database.db.destroy()
    expect(() => watch.stamp()).toThrow()
  })
})
