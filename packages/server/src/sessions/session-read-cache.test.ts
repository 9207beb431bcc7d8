import SQLite from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { aSession, aUser, HOUR, openTestStores, T0 } from '../../test/store-fixture.js'
import { createTestServer, signIn, signUp, type TestServer } from '../../test/test-server.js'
import { withSessionReadCache } from './session-read-cache.js'
import type { SessionStore } from './session-store.js'

// The session read cache (docs/sessions.md "The session read cache"): on SQLite the session check
// reads from memory while nothing changed, and every change, by this process or another, is seen by
// the very next check. Each test first makes sure the check it then relies on is a cache hit.
const SECOND = 1000

describe('session read cache on sqlite', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await createTestServer({ config: { session: { idleTimeout: 600, absoluteLifetime: 3600, activityInterval: 60 } } })
  })
  afterEach(async () => {
    await server.close()
  })

  const check = (token: string) => server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } })
  const cached = () => (server.tessera.stores.sessions as unknown as { size: number }).size

  /** Signs up a user with a bearer session, checked twice: the second check is answered from the cache. */
  async function cachedSession(email = 'ann@example.com') {
    await signUp(server.app, email)
    const { token, body } = await signIn(server.app, email, undefined, { transport: 'bearer' })
    expect((await check(token as string)).statusCode).toBe(200)
    expect((await check(token as string)).statusCode).toBe(200)
    expect(cached()).toBe(1)
    return { token: token as string, id: body.session?.id as string, userId: body.user?.id as string }
  }

  /** A second connection to the same file, as another process (the CLI) would open. */
  function otherConnection() {
    const other = new SQLite(server.tessera.config.databaseUrl.slice('sqlite:'.length))
    other.pragma('busy_timeout = 5000')
    return other
  }

  async function expectRefused(token: string, code: string) {
    const response = await check(token)
    expect(response.statusCode).toBeGreaterThanOrEqual(401)
    expect(response.json().code).toBe(code)
  }

  it('answers a repeated check from memory with the same body as the store', async () => {
    await signUp(server.app, 'ann@example.com')
    const { token, body } = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
    const fromStore = await check(token as string)
    expect(cached()).toBe(1)
    const fromCache = [await check(token as string), await check(token as string)]
    for (const response of [fromStore, ...fromCache]) {
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
      expect(response.body).toBe(fromStore.body)
    }
    expect(fromStore.json()).toMatchObject({ user: { email: 'ann@example.com' }, session: { id: body.session?.id, amr: ['pwd'] } })
    // A use that writes last activity shows it, and so does the cached row read after it.
    server.clock.advance(61 * SECOND)
    const touched = await check(token as string)
    const after = await check(token as string)
    expect(touched.json().session.lastActiveAt).toBe(new Date(server.clock.now()).toISOString())
    expect(after.body).toBe(touched.body)
  })

  it('refuses a session revoked through the API on the very next check', async () => {
    const ann = await cachedSession()
    const revoke = await server.app.inject({
      method: 'DELETE',
      url: `/v1/sessions/${ann.id}`,
      headers: { authorization: `Bearer ${ann.token}` },
    })
    expect(revoke.statusCode).toBe(204)
    await expectRefused(ann.token, 'session_revoked')
  })

  it('refuses a session revoked by another connection to the same file on the very next check', async () => {
    const ann = await cachedSession()
    const other = otherConnection()
    try {
      other.prepare(`update sessions set revoked_at = ?, revoked_reason = 'operator' where id = ?`).run(server.clock.now(), ann.id)
    } finally {
      other.close()
    }
    await expectRefused(ann.token, 'session_revoked')
  })

  it('refuses a user disabled, or deleted, by another connection on the very next check', async () => {
    const ann = await cachedSession()
    const bob = await cachedSession('bob@example.com')
    // Bob's sign-in wrote, which emptied the cache: Ann's next check reads her row again.
    expect((await check(ann.token)).statusCode).toBe(200)
    expect(cached()).toBe(2)
    const other = otherConnection()
    try {
      other.prepare(`update users set status = 'disabled' where id = ?`).run(ann.userId)
      await expectRefused(ann.token, 'user_disabled')
      other.pragma('foreign_keys = ON')
      other.prepare('delete from users where id = ?').run(bob.userId)
      await expectRefused(bob.token, 'session_invalid')
    } finally {
      other.close()
    }
  })

  it('refuses every session of a user signed out everywhere from another session', async () => {
    const ann = await cachedSession()
    const { token: laptop } = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
    expect((await check(laptop as string)).statusCode).toBe(200)
    const revoke = await server.app.inject({
      method: 'POST',
      url: '/v1/sessions/revoke',
      headers: { authorization: `Bearer ${laptop}` },
      payload: { scope: 'all' },
    })
    expect(revoke.statusCode).toBe(204)
    await expectRefused(ann.token, 'session_revoked')
    await expectRefused(laptop as string, 'session_revoked')
  })

  it('refuses a user disabled, or deleted, through the service on the very next check', async () => {
    const ann = await cachedSession()
    await server.tessera.services.users.disable(ann.userId, { kind: 'cli' })
    await expectRefused(ann.token, 'session_revoked')
    const bob = await cachedSession('bob@example.com')
    await server.tessera.services.users.delete(bob.userId, { kind: 'cli' })
    await expectRefused(bob.token, 'session_invalid')
  })

  it('judges idle timeout and absolute expiry from the clock on a cached row', async () => {
    const ann = await cachedSession()
    server.clock.advance(600 * SECOND - 1)
    expect((await check(ann.token)).statusCode).toBe(200)
    // That check was due to write last activity; the next ones within the interval read the cache.
    server.clock.advance(59 * SECOND)
    expect((await check(ann.token)).statusCode).toBe(200)
    expect(cached()).toBe(1)
    server.clock.advance(600 * SECOND - 59 * SECOND)
    await expectRefused(ann.token, 'session_expired')

    const bob = await cachedSession('bob@example.com')
    // Used every 500 s, so never idle; each use writes last activity, and the check after it is a hit.
    for (let used = 500; used < 3600; used += 500) {
      server.clock.advance(500 * SECOND)
      expect((await check(bob.token)).statusCode).toBe(200)
      expect((await check(bob.token)).statusCode).toBe(200)
    }
    server.clock.advance(100 * SECOND)
    await expectRefused(bob.token, 'session_expired')
  })

  it('is not poisoned by a write that rolled back', async () => {
    const ann = await cachedSession()
    const db = server.tessera.database.db
    let during: ReturnType<SessionStore['findWithUser']> | undefined
    await expect(
      db.transaction().execute(async (trx) => {
        await trx
          .updateTable('sessions')
          .set({ revoked_at: server.clock.now(), revoked_reason: 'operator' })
          .where('id', '=', ann.id)
          .execute()
        await trx.updateTable('users').set({ status: 'disabled' }).where('id', '=', ann.userId).execute()
        // The check's read while the transaction is open (its synchronous part runs here): it must
        // neither see nor keep what may roll back, so it waits for the connection.
        during = server.tessera.stores.sessions.findWithUser(ann.id)
        throw new Error('rolled back on purpose')
      }),
    ).rejects.toThrow('rolled back on purpose')
    const read = await (during as ReturnType<SessionStore['findWithUser']>)
    expect(read?.session.revokedAt).toBeNull()
    expect(read?.user.status).toBe('active')
    expect((await check(ann.token)).statusCode).toBe(200)
    expect((await check(ann.token)).statusCode).toBe(200)
    expect(cached()).toBe(1)

    // And the other way: a disabled user whose re-enabling rolled back stays refused.
    await server.tessera.services.users.disable(ann.userId, { kind: 'cli' })
    await db.updateTable('sessions').set({ revoked_at: null, revoked_reason: null }).where('id', '=', ann.id).execute()
    await expectRefused(ann.token, 'user_disabled')
    await expectRefused(ann.token, 'user_disabled')
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable('users').set({ status: 'active' }).where('id', '=', ann.userId).execute()
        throw new Error('rolled back on purpose')
      }),
    ).rejects.toThrow('rolled back on purpose')
    await expectRefused(ann.token, 'user_disabled')
    await server.tessera.services.users.enable(ann.userId, { kind: 'cli' })
    expect((await check(ann.token)).statusCode).toBe(200)
  })
})

describe('session read cache over the SQLite session store', () => {
  /** A migrated database with one user and `count` sessions (sess_0 …), and its change watch. */
  async function open(count: number) {
    const { database, stores } = await openTestStores('sqlite')
    const user = aUser()
    await stores.users.insert(user)
    for (let i = 0; i < count; i++) await stores.sessions.insert(aSession(user.id, { id: `sess_${i}`, absoluteExpiresAt: T0 + HOUR }))
    return { store: stores.sessions, watch: database.changes as NonNullable<typeof database.changes> }
  }

  /** The store, counting the reads that reach it. */
  function counting(store: SessionStore) {
    const reads: string[] = []
    const findWithUser = (id: string) => {
      reads.push(id)
      return store.findWithUser(id)
    }
    return { reads, store: { ...store, findWithUser } }
  }

  it('keeps at most maxEntries sessions, dropping the least recently checked', async () => {
    const { store, watch } = await open(5)
    const inner = counting(store)
    const cache = withSessionReadCache(inner.store, { watch, maxEntries: 3 })
    for (const id of ['sess_0', 'sess_1', 'sess_2']) await cache.findWithUser(id)
    await cache.findWithUser('sess_0')
    expect(inner.reads).toEqual(['sess_0', 'sess_1', 'sess_2'])
    // sess_1 is now the least recently checked: sess_3 and sess_4 push out sess_1, then sess_2.
    await cache.findWithUser('sess_3')
    await cache.findWithUser('sess_4')
    expect(cache.size).toBe(3)
    inner.reads.length = 0
    for (const id of ['sess_0', 'sess_3', 'sess_4']) await cache.findWithUser(id)
    expect(inner.reads).toEqual([])
    await cache.findWithUser('sess_1')
    expect(inner.reads).toEqual(['sess_1'])
    expect(cache.size).toBe(3)
  })

  it('does not keep a row when a write slipped in between its read and its storing', async () => {
    const { store, watch } = await open(1)
    // The first read returns the row as it was; a revocation commits before the cache can store it.
    let race = true
    const racing: SessionStore = {
      ...store,
      async findWithUser(id) {
        const found = await store.findWithUser(id)
        if (race) await store.revoke(id, T0 + 1, 'operator')
        race = false
        return found
      },
    }
    const cache = withSessionReadCache(racing, { watch })
    expect((await cache.findWithUser('sess_0'))?.session.revokedAt).toBeNull()
    expect(cache.size).toBe(0)
    expect((await cache.findWithUser('sess_0'))?.session.revokedAt).toBe(T0 + 1)
    expect(cache.size).toBe(1)
  })

  it('hands out frozen rows, so no caller can change what the next check reads', async () => {
    const { store, watch } = await open(1)
    const cache = withSessionReadCache(store, { watch })
    const found = await cache.findWithUser('sess_0')
    expect(() => {
      ;(found as { session: { revokedAt: number | null } }).session.revokedAt = 1
    }).toThrow(TypeError)
    expect(Object.isFrozen(found?.session)).toBe(true)
    expect(Object.isFrozen(found?.session.amr)).toBe(true)
    expect(Object.isFrozen(found?.user)).toBe(true)
  })
})
