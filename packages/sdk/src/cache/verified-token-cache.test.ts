import { describe, expect, it } from 'vitest'
import { codeOf, createFixture } from '../../test/verifier-fixture.js'
import { createVerifiedTokenCache } from './verified-token-cache.js'

describe('the verified-token cache', () => {
  it('keeps at most maxEntries, evicting the least recently used', () => {
    const cache = createVerifiedTokenCache<string>(2)
    cache.set('a', 'A', 1000)
    cache.set('b', 'B', 1000)
    expect(cache.get('a', 0)).toBe('A') // a is now the most recent
    cache.set('c', 'C', 1000)
    expect(cache.size).toBe(2)
    expect(cache.get('b', 0)).toBeUndefined()
    expect(cache.get('a', 0)).toBe('A')
    expect(cache.get('c', 0)).toBe('C')
  })

  it('keeps a token that is hit often while many others come and go', () => {
    const cache = createVerifiedTokenCache<string>(100)
    cache.set('hot', 'H', 1000)
    for (let i = 0; i < 1000; i++) {
      cache.set(`cold-${i}`, 'C', 1000)
      if (i % 40 === 0) expect(cache.get('hot', 0)).toBe('H')
    }
    expect(cache.size).toBe(100)
    expect(cache.get('hot', 0)).toBe('H')
    expect(cache.get('cold-899', 0)).toBeUndefined()
    expect(cache.get('cold-999', 0)).toBe('C')
  })

  it('forgets an entry at its expiry', () => {
    const cache = createVerifiedTokenCache<string>(10)
    cache.set('a', 'A', 1000)
    expect(cache.get('a', 999)).toBe('A')
    expect(cache.get('a', 1000)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('compares a token whole: another token with the same tail is a miss and evicts nothing', () => {
    const cache = createVerifiedTokenCache<string>(10)
    const tail = 'S'.repeat(40)
    cache.set(`header.payload.${tail}`, 'A', 1000)
    expect(cache.get(`header.forged.${tail}`, 0)).toBeUndefined()
    expect(cache.get(`header.payload.${tail}`, 0)).toBe('A')
    expect(cache.size).toBe(1)
  })

  it('stores nothing with a size of 0', () => {
    const cache = createVerifiedTokenCache<string>(0)
    cache.set('a', 'A', 1000)
    expect(cache.get('a', 0)).toBeUndefined()
  })
})

describe('a verifier with its cache', () => {
  it('answers a repeated token from the cache: the same frozen context, no new key fetch', async () => {
    const { verifier, token, tessera } = await createFixture()
    const good = await token()
    const first = await verifier.verify(good)
    const requests = tessera.requests.length
    expect(await verifier.verify(good)).toBe(first)
    expect(tessera.requests.length).toBe(requests)
  })

  it('is bounded by cacheSize: an evicted token is verified again from scratch', async () => {
    const { another, token } = await createFixture()
    const verifier = another({ cacheSize: 2 })
    const [a, b, c] = await Promise.all([token(), token(), token()])
    const first = await verifier.verify(a)
    await verifier.verify(b)
    await verifier.verify(c)
    const again = await verifier.verify(a)
    expect(again).not.toBe(first)
    expect(again).toEqual(first)
  })

  it('does not serve a cached token past its exp (plus leeway)', async () => {
    const { verifier, token, clock } = await createFixture()
    const good = await token()
    await verifier.verify(good)
    clock.advance(300_000 + 4_000)
    await expect(verifier.verify(good)).resolves.toBeDefined()
    clock.advance(1_000)
    expect(await codeOf(verifier.verify(good))).toBe('token_expired')
  })

  it('still checks scopes on a cache hit', async () => {
    const { verifier, token } = await createFixture()
    const good = await token({ scope: 'orders:read' })
    await verifier.verify(good)
    expect(await codeOf(verifier.verify(good, { scopes: ['orders:write'] }))).toBe('insufficient_scope')
  })

  it("refuses a forged token that keeps a cached token's signature, and still serves the real one from the cache", async () => {
    const { verifier, token } = await createFixture()
    const good = await token({ scope: 'orders:read' })
    const first = await verifier.verify(good)
    const [header, payload, signature] = good.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, scope: 'orders:read orders:write' })).toString('base64url')
    const forged = `${header}.${forgedPayload}.${signature}`
    expect(forged.slice(-32)).toBe(good.slice(-32))
    expect(await codeOf(verifier.verify(forged))).toBe('invalid_token')
    expect(await verifier.verify(good)).toBe(first)
  })

  it('rejects a cached token right after a revocation entry for it arrives (hybrid)', async () => {
    const { verifier, token, tessera, clock } = await createFixture({ mode: 'hybrid' })
    const good = await token({ sid: 'session-9' })
    const first = await verifier.verify(good)
    expect(await verifier.verify(good)).toBe(first)
    tessera.feed.append({ kind: 'session', sid: 'session-9', createdAt: clock.now(), expiresAt: clock.now() + 3_600_000 })
    await expect.poll(() => codeOf(verifier.verify(good)), { interval: 5 }).toBe('token_revoked')
  })
})
