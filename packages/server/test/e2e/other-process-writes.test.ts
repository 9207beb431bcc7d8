import { randomBytes } from 'node:crypto'
import { closeSync, openSync, readSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { testTempDir } from '../test-database.js'
import { type RunningTessera, startTessera, stopTessera } from './tessera-process.js'

// The server's read caches on SQLite (sessions, access tokens) learn of another process's commits
// from the wal-index header (store/sqlite-change-stamp.ts, docs/architecture.md §12 "Read caches on
// SQLite"). Here another process writes the file (as the CLI does, with the same library) right after
// the server answered the same session check from memory; no write of the server's own comes between.

const PASSWORD = 'correct horse battery staple'

function json(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

/** The last committed frame in the wal-index header (sqlite.org/walformat.html §2.1), as the server reads it. */
function lastFrame(file: string): number {
  const fd = openSync(`${file}-shm`, 'r')
  try {
    const header = Buffer.alloc(48)
    readSync(fd, header, 0, 48, 0)
    return header.readUInt32LE(16)
  } finally {
    closeSync(fd)
  }
}

describe('another process writing the SQLite file beside a running server', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  it('a session revoked, or a user disabled, by another process is refused at the next check, also across a WAL restart', async () => {
    const dataDir = testTempDir('tessera-beside-')
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const server: RunningTessera = await startTessera({
      TESSERA_DATA_DIR: dataDir,
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
      TESSERA_LOG_LEVEL: 'warn',
    })
    cleanups.push(async () => void (await stopTessera(server)))
    const { base } = server
    const file = join(dataDir, 'tessera.db')

    const bearerOf = async (email: string) => {
      expect((await fetch(`${base}/v1/sign-up`, json({ email, password: PASSWORD }))).status).toBe(201)
      const signIn = await fetch(`${base}/v1/sign-in`, json({ email, password: PASSWORD, transport: 'bearer' }))
      expect(signIn.status).toBe(200)
      return ((await signIn.json()) as { session: { id: string; token: string } }).session
    }
    const check = async (token: string) => {
      const response = await fetch(`${base}/v1/session`, { headers: { authorization: `Bearer ${token}` } })
      const body = (await response.json()) as { code?: string }
      return response.status === 200 ? 'live' : body.code
    }
    const warm = async (token: string) => {
      // The second and third checks are answered from the server's memory.
      for (let n = 0; n < 3; n += 1) expect(await check(token)).toBe('live')
    }
    const ann = await bearerOf('ann@example.com')
    const bob = await bearerOf('bob@example.com')
    const cat = await bearerOf('cat@example.com')

    const other = new SQLite(file)
    cleanups.push(() => void other.close())
    other.pragma('busy_timeout = 5000')
    other.exec('create table beside_pad (n integer)')
    other.exec('insert into beside_pad (n) values (0)')

    await warm(ann.token)
    other.prepare('update sessions set revoked_at = ? where id = ?').run(Date.now(), ann.id)
    expect(await check(ann.token)).toBe('session_revoked')

    await warm(bob.token)
    other.prepare("update users set status = 'disabled' where email = ?").run('bob@example.com')
    expect(await check(bob.token)).toBe('user_disabled')

    // A checkpoint that restarts the WAL, then commits that bring the last frame back to exactly
    // where it stood when the server cached cat's session: only the change counter and the WAL's
    // salts tell the two snapshots apart.
    await warm(cat.token)
    const cachedAt = lastFrame(file)
    expect(other.pragma('wal_checkpoint(TRUNCATE)', { simple: false })).toEqual([{ busy: 0, log: 0, checkpointed: 0 }])
    other.prepare('update sessions set revoked_at = ? where id = ?').run(Date.now(), cat.id)
    // One page a commit: the pad table's only page.
    while (lastFrame(file) < cachedAt) other.exec('update beside_pad set n = n + 1')
    expect(lastFrame(file)).toBe(cachedAt)
    expect(await check(cat.token)).toBe('session_revoked')
  })
})
