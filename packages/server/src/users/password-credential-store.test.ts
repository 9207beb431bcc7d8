import { describe, expect, it } from 'vitest'
import { aUser, MINUTE, type Open, openTestStores, T0 } from '../../test/store-fixture.js'
import { DIALECTS } from '../../test/test-database.js'

function testPasswordCredentialStore(open: Open) {
  it('finds a credential by email with the user id, hash and status', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann', email: 'ann@example.com' }))
    await stores.credentials.set('usr_ann', '$argon2id$v=19$first', T0)
    expect(await stores.credentials.findByEmail('ann@example.com')).toEqual({
      userId: 'usr_ann',
      hash: '$argon2id$v=19$first',
      status: 'active',
    })
  })

  it('replaces the hash when set again', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann', email: 'ann@example.com' }))
    await stores.credentials.set('usr_ann', '$argon2id$v=19$first', T0)
    await stores.credentials.set('usr_ann', '$argon2id$v=19$second', T0 + MINUTE)
    expect((await stores.credentials.findByEmail('ann@example.com'))?.hash).toBe('$argon2id$v=19$second')
  })

  it("reports the user's current status", async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann', email: 'ann@example.com' }))
    await stores.credentials.set('usr_ann', '$argon2id$v=19$first', T0)
    await stores.users.setStatus('usr_ann', 'disabled', T0 + 1)
    expect((await stores.credentials.findByEmail('ann@example.com'))?.status).toBe('disabled')
  })

  it('returns null for an unknown email and for a user without a password', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann', email: 'ann@example.com' }))
    expect(await stores.credentials.findByEmail('ann@example.com')).toBeNull()
    expect(await stores.credentials.findByEmail('nobody@example.com')).toBeNull()
  })

  it('refuses a credential for a user that does not exist', async () => {
    const { stores } = await open()
    await expect(stores.credentials.set('usr_nobody', '$argon2id$v=19$x', T0)).rejects.toThrow()
  })
}

for (const dialect of DIALECTS) {
  describe(`password credential store on ${dialect}`, () => testPasswordCredentialStore(() => openTestStores(dialect)))
}
