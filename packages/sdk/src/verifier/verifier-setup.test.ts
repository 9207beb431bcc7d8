import { describe, expect, it } from 'vitest'
import { accessTokenClaims, createSigningKey, signToken } from '../../test/signing-keys.js'
import { codeOf, createFixture } from '../../test/verifier-fixture.js'
import { createVerifier } from './create-verifier.js'
import type { VerifierOptions } from './verifier-options.js'

const base: VerifierOptions = { issuer: 'https://id.example.test', audience: 'https://api.example.test', mode: 'jwt' }

describe('createVerifier', () => {
  it('refuses a configuration that cannot work, at once', () => {
    const bad: Partial<VerifierOptions>[] = [
      { issuer: 'id.example.test' },
      { issuer: 'ftp://id.example.test' },
      { audience: '' },
      { mode: 'paranoid' as VerifierOptions['mode'] },
      { mode: 'hybrid' },
      { mode: 'session' },
      { client: { id: 'a', secret: '' } },
      { maxStaleness: 0 },
      { leeway: -1 },
      { cacheSize: Number.NaN },
      { onStale: 'ignore' as VerifierOptions['onStale'] },
    ]
    for (const options of bad) {
      expect(() => createVerifier({ ...base, ...options }), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'invalid_configuration' }),
      )
    }
  })

  it('discovers its endpoints from <issuer>/.well-known/openid-configuration and warms up without being asked', async () => {
    const { verifier, tessera } = await createFixture()
    await expect.poll(() => tessera.count('/.well-known/jwks.json')).toBe(1)
    expect(tessera.count('/.well-known/openid-configuration')).toBe(1)
    await expect(verifier.ready()).resolves.toBeUndefined()
  })

  it('refuses a discovery document naming another issuer', async () => {
    const { verifier: first, another, token, tessera } = await createFixture()
    await first.ready()
    const fetched = tessera.count('/.well-known/jwks.json')
    tessera.discovery.issuer = 'https://evil.example'
    const verifier = another()
    const error = await verifier.verify(await token()).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'verifier_unavailable', status: 503 })
    expect(tessera.count('/.well-known/jwks.json')).toBe(fetched)
  })

  it('is unavailable, not fooled, when the issuer cannot be reached', async () => {
    const verifier = createVerifier({ ...base, issuer: 'http://127.0.0.1:1', requestTimeout: 1000 })
    expect(await codeOf(verifier.verify('a.b.c'))).toBe('invalid_token')
    const { token } = await createFixture()
    expect(await codeOf(verifier.verify(await token()))).toBe('verifier_unavailable')
    await expect(verifier.ready()).rejects.toMatchObject({ code: 'verifier_unavailable' })
    await verifier.close()
  })

  it('uses an injected fetch for every request', async () => {
    const seen: string[] = []
    const fixture = await createFixture()
    const verifier = fixture.another({
      fetch: (input, init) => {
        seen.push(new URL(input).pathname)
        return fetch(input, init)
      },
    })
    await verifier.verify(await fixture.token())
    expect(seen).toEqual(['/.well-known/openid-configuration', '/.well-known/jwks.json'])
  })

  it('runs on an injected fetch alone, with no network (the docs/sdk.md testing recipe)', async () => {
    const key = await createSigningKey('ES256')
    let now = Date.parse('2026-01-01T00:00:00Z')
    const issuer = 'https://id.example.test'
    const verifier = createVerifier({
      ...base,
      issuer,
      clock: { now: () => now },
      fetch: async (url) =>
        Response.json(url.endsWith('/jwks.json') ? { keys: [key.publicJwk] } : { issuer, jwks_uri: `${issuer}/.well-known/jwks.json` }),
    })
    const token = await signToken(key, accessTokenClaims(issuer, base.audience, now))
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'user-1' })
    now += 306_000
    expect(await codeOf(verifier.verify(token))).toBe('token_expired')
    await verifier.close()
  })

  it('reports its staleness per mode: Infinity for jwt, 0 for session', async () => {
    const { verifier, another } = await createFixture()
    expect(verifier.staleness()).toBe(Number.POSITIVE_INFINITY)
    expect(another({ mode: 'session' }).staleness()).toBe(0)
  })
})
