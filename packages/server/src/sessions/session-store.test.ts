import { describe, expect, it } from 'vitest'
import { aSession, aUser, expectIntegerTimes, HOUR, MINUTE, type Open, openTestStores, T0 } from '../../test/store-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import type { Session } from './session.js'

function testSessionStore(open: Open) {
  it('finds an inserted session with exactly the stored fields', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann' }))
    const session = aSession('usr_ann', {
      createdAt: T0 + 1,
      lastActiveAt: T0 + 2,
      absoluteExpiresAt: T0 + 3,
      authTime: T0 + 4,
      amr: ['pwd', 'otp'],
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      ip: '2001:db8::1',
    })
    await stores.sessions.insert(session)

    const found = await stores.sessions.findById(session.id)
    expect(found).toEqual(session)
    expectIntegerTimes(found as Session, ['createdAt', 'lastActiveAt', 'absoluteExpiresAt', 'authTime'])
  })

  it('round-trips an empty amr, null device fields and revocation fields', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann' }))
    const session = aSession('usr_ann', { amr: [], userAgent: null, ip: null, revokedAt: T0 + 5, revokedReason: 'operator' })
    await stores.sessions.insert(session)
    const found = await stores.sessions.findById(session.id)
    expect(found).toEqual(session)
    expectIntegerTimes(found as Session, ['revokedAt'])
  })

  it('returns null for an unknown session id', async () => {
    const { stores } = await open()
    expect(await stores.sessions.findById('sess_nobody')).toBeNull()
  })

  it('reads a session with its user in one query, exactly as the two separate reads give them', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann', email: 'ann@example.com', tokenVersion: 3 }))
    await stores.users.markEmailVerified('usr_ann', 'ann@example.com', T0 + 7)
    await stores.users.setStatus('usr_ann', 'disabled', T0 + 8)
    const session = aSession('usr_ann', { amr: ['pwd', 'hwk'], revokedAt: T0 + 9, revokedReason: 'operator' })
    await stores.sessions.insert(session)
    const found = await stores.sessions.findWithUser(session.id)
    expect(found).toEqual({ session: await stores.sessions.findById(session.id), user: await stores.users.findById('usr_ann') })
    expect(found?.user).toMatchObject({ id: 'usr_ann', status: 'disabled', tokenVersion: 3, emailVerified: true })
    expect(found?.session).toEqual(session)
    // The compiled query is reused: a second read with another id finds that session, not the first.
    await stores.users.insert(aUser({ id: 'usr_bob', email: 'bob@example.com' }))
    const other = aSession('usr_bob')
    await stores.sessions.insert(other)
    expect((await stores.sessions.findWithUser(other.id))?.user.id).toBe('usr_bob')
    expect(await stores.sessions.findWithUser('sess_nobody')).toBeNull()
  })

  it('refuses a session for a user that does not exist', async () => {
    const { stores } = await open()
    await expect(stores.sessions.insert(aSession('usr_nobody'))).rejects.toThrow()
  })

  it('lists only live sessions of the user, newest first', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann' }))
    await stores.users.insert(aUser({ id: 'usr_bob' }))
    const now = T0 + 10 * HOUR
    const idle = HOUR
    const older = aSession('usr_ann', { createdAt: now - 3 * HOUR, lastActiveAt: now - MINUTE })
    const newer = aSession('usr_ann', { createdAt: now - 2 * HOUR, lastActiveAt: now - MINUTE })
    const newest = aSession('usr_ann', { createdAt: now - HOUR, lastActiveAt: now - HOUR + 1 })
    const revoked = aSession('usr_ann', { createdAt: now - MINUTE, lastActiveAt: now, revokedAt: now, revokedReason: 'sign_out' })
    const idleExpired = aSession('usr_ann', { createdAt: now - 4 * HOUR, lastActiveAt: now - idle })
    const absolutelyExpired = aSession('usr_ann', { createdAt: now - 5 * HOUR, lastActiveAt: now, absoluteExpiresAt: now })
    const someoneElses = aSession('usr_bob', { createdAt: now, lastActiveAt: now })
    for (const session of [older, revoked, newest, idleExpired, someoneElses, newer, absolutelyExpired]) {
      await stores.sessions.insert(session)
    }

    const live = await stores.sessions.listLive('usr_ann', { lastActiveAfter: now - idle, now })
    expect(live.map((session) => session.id)).toEqual([newest.id, newer.id, older.id])
    expect(live[0]).toEqual(newest)
  })

  it('lists nothing for a user without sessions', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann' }))
    expect(await stores.sessions.listLive('usr_ann', { lastActiveAfter: T0, now: T0 })).toEqual([])
  })

  it('moves last activity forward and never backwards', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann' }))
    const session = aSession('usr_ann', { lastActiveAt: T0 })
    await stores.sessions.insert(session)

    await stores.sessions.touch(session.id, T0 + MINUTE)
    expect((await stores.sessions.findById(session.id))?.lastActiveAt).toBe(T0 + MINUTE)
    await stores.sessions.touch(session.id, T0 + 30_000)
    expect((await stores.sessions.findById(session.id))?.lastActiveAt).toBe(T0 + MINUTE)
    await stores.sessions.touch(session.id, T0 + 2 * MINUTE)
    expect((await stores.sessions.findById(session.id))?.lastActiveAt).toBe(T0 + 2 * MINUTE)
  })

  it('touches only the named session', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann' }))
    const touched = aSession('usr_ann')
    const untouched = aSession('usr_ann')
    await stores.sessions.insert(touched)
    await stores.sessions.insert(untouched)
    await stores.sessions.touch(touched.id, T0 + MINUTE)
    await stores.sessions.touch('sess_nobody', T0 + MINUTE)
    expect((await stores.sessions.findById(untouched.id))?.lastActiveAt).toBe(T0)
  })

  it('revokes a session once: true the first time, false after, and records when and why', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann' }))
    const session = aSession('usr_ann')
    await stores.sessions.insert(session)

    expect(await stores.sessions.revoke(session.id, T0 + MINUTE, 'sign_out')).toBe(true)
    expect(await stores.sessions.revoke(session.id, T0 + 2 * MINUTE, 'operator')).toBe(false)
    expect(await stores.sessions.findById(session.id)).toMatchObject({ revokedAt: T0 + MINUTE, revokedReason: 'sign_out' })
    expect(await stores.sessions.revoke('sess_nobody', T0, 'sign_out')).toBe(false)
  })

  it("revokes all of a user's unrevoked sessions and returns exactly their ids", async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann' }))
    await stores.users.insert(aUser({ id: 'usr_bob' }))
    const first = aSession('usr_ann')
    const second = aSession('usr_ann')
    const alreadyRevoked = aSession('usr_ann', { revokedAt: T0, revokedReason: 'sign_out' })
    const bobs = aSession('usr_bob')
    for (const session of [second, bobs, alreadyRevoked, first]) await stores.sessions.insert(session)

    const ids = await stores.sessions.revokeAllOfUser('usr_ann', T0 + MINUTE, 'revoked_all')
    expect(ids).toEqual([first.id, second.id].sort())
    expect(await stores.sessions.findById(first.id)).toMatchObject({ revokedAt: T0 + MINUTE, revokedReason: 'revoked_all' })
    expect(await stores.sessions.findById(alreadyRevoked.id)).toMatchObject({ revokedAt: T0, revokedReason: 'sign_out' })
    expect((await stores.sessions.findById(bobs.id))?.revokedAt).toBeNull()
    expect(await stores.sessions.revokeAllOfUser('usr_ann', T0 + 2 * MINUTE, 'revoked_all')).toEqual([])
  })

  it('keeps the given session when revoking all the others', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann' }))
    const kept = aSession('usr_ann')
    const others = [aSession('usr_ann'), aSession('usr_ann')]
    for (const session of [kept, ...others]) await stores.sessions.insert(session)

    const ids = await stores.sessions.revokeAllOfUser('usr_ann', T0 + MINUTE, 'revoked_others', kept.id)
    expect(ids).toEqual(others.map((session) => session.id).sort())
    expect((await stores.sessions.findById(kept.id))?.revokedAt).toBeNull()
  })
}

for (const dialect of DIALECTS) {
  describe(`session store on ${dialect}`, () => testSessionStore(() => openTestStores(dialect)))
}
