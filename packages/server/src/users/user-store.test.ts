import { describe, expect, it } from 'vitest'
import { aUser, expectIntegerTimes, MINUTE, type Open, openTestStores, T0 } from '../../test/store-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import type { User } from './user.js'

function testUserStore(open: Open) {
  it('finds an inserted user by id and by email with exactly the stored fields', async () => {
    const { stores } = await open()
    const user = aUser({ id: 'usr_ann', email: 'ann@example.com', tokenVersion: 7, createdAt: T0 + 1, updatedAt: T0 + 2 })
    await stores.users.insert(user)

    const byId = await stores.users.findById('usr_ann')
    expect(byId).toEqual(user)
    expectIntegerTimes(byId as User, ['createdAt', 'updatedAt', 'tokenVersion'])
    expect(await stores.users.findByEmail('ann@example.com')).toEqual(user)
  })

  it('returns null for an unknown id or email', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann', email: 'ann@example.com' }))
    expect(await stores.users.findById('usr_nobody')).toBeNull()
    expect(await stores.users.findByEmail('nobody@example.com')).toBeNull()
  })

  it('refuses, in the database, a second user with the same email', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_first', email: 'ann@example.com' }))
    await expect(stores.users.insert(aUser({ id: 'usr_second', email: 'ann@example.com' }))).rejects.toThrow()
    expect((await stores.users.findByEmail('ann@example.com'))?.id).toBe('usr_first')
    expect(await stores.users.findById('usr_second')).toBeNull()
  })

  it('lists users ordered by id, a page at a time after a given id', async () => {
    const { stores } = await open()
    for (const id of ['usr_c', 'usr_a', 'usr_e', 'usr_b', 'usr_d']) await stores.users.insert(aUser({ id }))
    const ids = async (query: { after?: string; limit: number; search?: string }) => (await stores.users.list(query)).map((user) => user.id)

    expect(await ids({ limit: 10 })).toEqual(['usr_a', 'usr_b', 'usr_c', 'usr_d', 'usr_e'])
    expect(await ids({ limit: 2 })).toEqual(['usr_a', 'usr_b'])
    expect(await ids({ after: 'usr_b', limit: 2 })).toEqual(['usr_c', 'usr_d'])
    expect(await ids({ after: 'usr_d', limit: 2 })).toEqual(['usr_e'])
    expect(await ids({ after: 'usr_e', limit: 2 })).toEqual([])
  })

  it('searches emails for a case-insensitive substring', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_1', email: 'ann@example.com' }))
    await stores.users.insert(aUser({ id: 'usr_2', email: 'bob@example.com' }))
    await stores.users.insert(aUser({ id: 'usr_3', email: 'joanna@test.org' }))
    const emails = async (search: string) => (await stores.users.list({ search, limit: 10 })).map((user) => user.email)

    expect(await emails('ANN')).toEqual(['ann@example.com', 'joanna@test.org'])
    expect(await emails('Example.COM')).toEqual(['ann@example.com', 'bob@example.com'])
    expect(await emails('zed')).toEqual([])
  })

  it('treats % and _ in a search as literal characters, not wildcards', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_1', email: 'a%b@example.com' }))
    await stores.users.insert(aUser({ id: 'usr_2', email: 'axb@example.com' }))
    await stores.users.insert(aUser({ id: 'usr_3', email: 'a_b@example.com' }))
    await stores.users.insert(aUser({ id: 'usr_4', email: 'acb@example.com' }))
    const emails = async (search: string) => (await stores.users.list({ search, limit: 10 })).map((user) => user.email)

    expect(await emails('%')).toEqual(['a%b@example.com'])
    expect(await emails('a%b')).toEqual(['a%b@example.com'])
    expect(await emails('_')).toEqual(['a_b@example.com'])
    expect(await emails('a_b')).toEqual(['a_b@example.com'])
  })

  it('combines search with keyset pagination', async () => {
    const { stores } = await open()
    for (const [id, email] of [
      ['usr_a', 'ann@example.com'],
      ['usr_b', 'bob@test.org'],
      ['usr_c', 'cat@example.com'],
      ['usr_d', 'dan@example.com'],
    ] as const) {
      await stores.users.insert(aUser({ id, email }))
    }
    const page = await stores.users.list({ search: 'example', after: 'usr_a', limit: 1 })
    expect(page.map((user) => user.id)).toEqual(['usr_c'])
  })

  it('sets the status and update time, and reports an unknown user', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann' }))
    expect(await stores.users.setStatus('usr_ann', 'disabled', T0 + MINUTE)).toBe(true)
    expect(await stores.users.findById('usr_ann')).toMatchObject({ status: 'disabled', updatedAt: T0 + MINUTE })
    expect(await stores.users.setStatus('usr_ann', 'active', T0 + 2 * MINUTE)).toBe(true)
    expect(await stores.users.findById('usr_ann')).toMatchObject({ status: 'active', updatedAt: T0 + 2 * MINUTE })
    expect(await stores.users.setStatus('usr_nobody', 'disabled', T0)).toBe(false)
  })

  it('reports false, and changes nothing, when the user already has the status', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann', status: 'disabled', updatedAt: T0 }))
    expect(await stores.users.setStatus('usr_ann', 'disabled', T0 + MINUTE)).toBe(false)
    expect(await stores.users.findById('usr_ann')).toMatchObject({ status: 'disabled', updatedAt: T0 })
  })

  it('raises the token version by one each time and returns the new value', async () => {
    const { stores } = await open()
    await stores.users.insert(aUser({ id: 'usr_ann', tokenVersion: 1 }))
    await stores.users.insert(aUser({ id: 'usr_bob', tokenVersion: 1 }))
    expect(await stores.users.raiseTokenVersion('usr_ann', T0 + 1)).toBe(2)
    expect(await stores.users.raiseTokenVersion('usr_ann', T0 + 2)).toBe(3)
    expect(await stores.users.findById('usr_ann')).toMatchObject({ tokenVersion: 3, updatedAt: T0 + 2 })
    expect((await stores.users.findById('usr_bob'))?.tokenVersion).toBe(1)
  })

  it('returns null when raising the token version of an unknown user', async () => {
    const { stores } = await open()
    expect(await stores.users.raiseTokenVersion('usr_nobody', T0)).toBeNull()
  })
}

for (const dialect of DIALECTS) {
  describe(`user store on ${dialect}`, () => testUserStore(() => openTestStores(dialect)))
}
