import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSigningKey, signToken } from '../../test/signing-keys.js'
import { codeOf, createFixture } from '../../test/verifier-fixture.js'

const JWKS = '/.well-known/jwks.json'

describe('the JWKS cache', () => {
  it('fetches the keys once for any number of tokens', async () => {
    const { verifier, token, tessera } = await createFixture()
    await verifier.ready()
    for (let i = 0; i < 20; i += 1) await verifier.verify(await token())
    expect(tessera.count(JWKS)).toBe(1)
    expect(tessera.count('/.well-known/openid-configuration')).toBe(1)
  })

  it('answers a flood of unknown kids with a bounded number of fetches, one per cooldown', async () => {
    const { verifier, token, tessera, clock } = await createFixture({ jwksCooldown: 10_000 })
    await verifier.ready()
    const flood = async () => {
      const tokens = await Promise.all(Array.from({ length: 200 }, () => token({}, { kid: randomUUID() })))
      const codes = await Promise.all(tokens.map((each) => codeOf(verifier.verify(each))))
      expect(new Set(codes)).toEqual(new Set(['invalid_token']))
    }
    await flood()
    await flood()
    expect(tessera.count(JWKS)).toBe(1)
    clock.advance(10_000)
    await flood()
    await flood()
    expect(tessera.count(JWKS)).toBe(2)
  })

  it('picks up a key rotated in after the keys were fetched (an unknown kid refetches)', async () => {
    const fixture = await createFixture({ jwksCooldown: 10_000 })
    await fixture.verifier.ready()
    fixture.clock.advance(10_000)
    const next = await createSigningKey('EdDSA')
    fixture.tessera.jwks.push(next.publicJwk)
    const claims = JSON.parse(Buffer.from((await fixture.token()).split('.')[1] as string, 'base64url').toString())
    await expect(fixture.verifier.verify(await signToken(next, claims))).resolves.toMatchObject({ subject: 'user-1' })
    expect(fixture.tessera.count(JWKS)).toBe(2)
  })

  it('stops accepting tokens, cached ones too, of a key that left the JWKS once it is refreshed', async () => {
    const { verifier, token, tessera, clock } = await createFixture({ jwksMaxAge: 60_000 })
    const good = await token({ exp: Math.floor(clock.now() / 1000) + 3600 })
    await verifier.verify(good)
    tessera.jwks.splice(0)
    clock.advance(61_000)
    // The first call after maxAge starts a background refresh; later calls see its result.
    await verifier.verify(good).catch(() => {})
    await expect.poll(() => codeOf(verifier.verify(good))).toBe('invalid_token')
  })

  it('ignores keys it must never use: symmetric, private, not for signing, or with a disallowed alg', async () => {
    const fixture = await createFixture({ jwksCooldown: 0 })
    const other = await createSigningKey('ES256')
    const { d: _d, ...rest } = { d: 'x', ...other.publicJwk }
    fixture.tessera.jwks.splice(
      0,
      1,
      { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac', alg: 'HS256' },
      { ...rest, kid: 'enc', use: 'enc' },
      { ...rest, kid: 'no-alg', alg: undefined },
      { ...rest, kid: 'none', alg: 'none' },
      { ...rest, kid: 'private', d: 'AAAA' },
    )
    const claims = JSON.parse(Buffer.from((await fixture.token()).split('.')[1] as string, 'base64url').toString())
    for (const kid of ['hmac', 'enc', 'no-alg', 'none', 'private']) {
      expect(await codeOf(fixture.verifier.verify(await signToken(other, claims, { kid })))).toBe('invalid_token')
    }
  })

  it('reports an unreachable JWKS as verifier_unavailable (503), not as a bad token', async () => {
    const { another, token, tessera } = await createFixture()
    tessera.discovery.jwks_uri = 'http://127.0.0.1:1/jwks.json'
    const verifier = another()
    const error = await verifier.verify(await token()).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'verifier_unavailable', status: 503 })
  })
})
