import { describe, expect, it } from 'vitest'
import { anEvent, aSession, aUser, HOUR, type Open, openTestStores, T0 } from '../../test/store-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import type { AccessTokenRecord } from '../tokens/access-token.js'

/** A recorded access token: its insert is a compiled statement (store/compiled-query.ts). */
const anAccessToken = (jti: string): AccessTokenRecord => ({
  jti,
  format: 'jwt',
  secretHash: null,
  familyId: null,
  sessionId: null,
  userId: null,
  clientId: 'app_one',
  api: 'https://api.example.com',
  scope: ['orders:read'],
  tokenVersion: null,
  authTime: null,
  createdAt: T0,
  expiresAt: T0 + HOUR,
  revokedAt: null,
})

function testTransactions(open: Open) {
  it('rolls back everything a transaction wrote when it throws', async () => {
    const { stores, transact } = await open()
    const failure = new Error('fails after writing')
    await expect(
      transact(async (tx) => {
        await tx.users.insert(aUser({ id: 'usr_ann', email: 'ann@example.com' }))
        await tx.credentials.set('usr_ann', '$argon2id$v=19$x', T0)
        await tx.sessions.insert(aSession('usr_ann'))
        await tx.events.append(anEvent({ userId: 'usr_ann' }))
        await tx.revocations.append({ kind: 'user_token_version', sub: 'usr_ann', minTokenVersion: 2 }, T0, T0 + HOUR)
        await tx.throttle.put('key-ann', { failures: 1, lockedUntil: null }, T0)
        throw failure
      }),
    ).rejects.toBe(failure)

    expect(await stores.users.findById('usr_ann')).toBeNull()
    expect(await stores.credentials.findByEmail('ann@example.com')).toBeNull()
    expect(await stores.sessions.listLive('usr_ann', { lastActiveAfter: 0, now: T0 })).toEqual([])
    expect(await stores.events.listAfter(0, 10)).toEqual([])
    expect(await stores.revocations.listAfter(0, 10)).toEqual([])
    expect(await stores.throttle.get('key-ann')).toBeNull()
  })

  it('commits everything a transaction wrote, and returns its result', async () => {
    const { stores, transact } = await open()
    const result = await transact(async (tx) => {
      await tx.users.insert(aUser({ id: 'usr_ann' }))
      await tx.events.append(anEvent({ userId: 'usr_ann' }))
      return tx.revocations.append({ kind: 'session', sid: 'sess_one' }, T0, T0 + HOUR)
    })
    expect((await stores.revocations.listAfter(0, 10)).map((each) => each.seq)).toEqual([result])
    expect(await stores.users.findById('usr_ann')).not.toBeNull()
    expect(await stores.events.listAfter(0, 10)).toHaveLength(1)
  })

  it('rolls back a write that violates a constraint together with what came before it', async () => {
    const { stores, transact } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann', email: 'ann@example.com' }))
    await expect(
      transact(async (tx) => {
        await tx.events.append(anEvent())
        await tx.users.insert(aUser({ id: 'usr_copy', email: 'ann@example.com' }))
      }),
    ).rejects.toThrow()
    expect(await stores.events.listAfter(0, 10)).toEqual([])
  })

  // On SQLite a transaction's compiled statements skip Kysely's executor (store/sqlite-group-commit.ts
  // `DurableTransaction.execute`); they must keep its rules. The first query of a fresh database
  // initialises Kysely's driver, after which transactions join groups: a read comes first.
  it("rolls back a transaction's compiled statements with it", async () => {
    const { stores, transact } = await open()
    expect(await stores.accessTokens.findByJti('at_rolled_back')).toBeNull()
    const failure = new Error('fails after writing')
    await expect(
      transact(async (tx) => {
        await tx.accessTokens.insert(anAccessToken('at_rolled_back'))
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(await stores.accessTokens.findByJti('at_rolled_back')).toBeNull()
  })

  it('refuses a statement through the stores of a transaction that has committed', async () => {
    const { stores, transact } = await open()
    expect(await stores.accessTokens.findByJti('at_in_time')).toBeNull()
    let kept: { accessTokens: { insert(record: AccessTokenRecord): Promise<void> } } | undefined
    await transact(async (tx) => {
      kept = tx
      await tx.accessTokens.insert(anAccessToken('at_in_time'))
    })
    await expect(kept?.accessTokens.insert(anAccessToken('at_too_late'))).rejects.toThrow()
    expect(await stores.accessTokens.findByJti('at_in_time')).not.toBeNull()
    expect(await stores.accessTokens.findByJti('at_too_late')).toBeNull()
  })
}

for (const dialect of DIALECTS) {
  describe(`transactions on ${dialect}`, () => testTransactions(() => openTestStores(dialect)))
}
