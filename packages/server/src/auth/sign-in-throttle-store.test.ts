import { describe, expect, it } from 'vitest'
import { type Open, openTestStores, T0 } from '../../test/store-fixture.js'
import { DIALECTS } from '../../test/test-database.js'

function testSignInThrottleStore(open: Open) {
  it('returns null for a key that has never failed', async () => {
    const { stores } = await open()
    expect(await stores.throttle.get('key-never-seen')).toBeNull()
  })

  it('stores a state, and replaces it on the next put', async () => {
    const { stores } = await open()
    await stores.throttle.put('key-ann', { failures: 1, lockedUntil: null }, T0)
    expect(await stores.throttle.get('key-ann')).toEqual({ failures: 1, lockedUntil: null })

    await stores.throttle.put('key-ann', { failures: 11, lockedUntil: T0 + 2000 }, T0 + 1)
    const state = await stores.throttle.get('key-ann')
    expect(state).toEqual({ failures: 11, lockedUntil: T0 + 2000 })
    expect(typeof state?.lockedUntil).toBe('number')

    await stores.throttle.put('key-ann', { failures: 12, lockedUntil: null }, T0 + 2)
    expect(await stores.throttle.get('key-ann')).toEqual({ failures: 12, lockedUntil: null })
  })

  it('clears one key and leaves the others', async () => {
    const { stores } = await open()
    await stores.throttle.put('key-ann', { failures: 3, lockedUntil: null }, T0)
    await stores.throttle.put('key-bob', { failures: 4, lockedUntil: null }, T0)
    await stores.throttle.clear('key-ann')
    await stores.throttle.clear('key-never-seen')
    expect(await stores.throttle.get('key-ann')).toBeNull()
    expect(await stores.throttle.get('key-bob')).toEqual({ failures: 4, lockedUntil: null })
  })
}

for (const dialect of DIALECTS) {
  describe(`sign-in throttle store on ${dialect}`, () => testSignInThrottleStore(() => openTestStores(dialect)))
}
