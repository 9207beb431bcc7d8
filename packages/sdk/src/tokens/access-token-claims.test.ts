import { describe, expect, it } from 'vitest'
import { signToken } from '../../test/signing-keys.js'
import { AUDIENCE, codeOf, createFixture } from '../../test/verifier-fixture.js'

describe('a jwt-mode verifier checks the claims strictly (RFC 9068 §4)', () => {
  it('returns the typed auth context of a session-bound token', async () => {
    const { verifier, token, tessera } = await createFixture()
    const auth = await verifier.verify(await token())
    expect(auth).toMatchObject({
      subject: 'user-1',
      sessionId: 'session-1',
      clientId: 'web-app',
      scopes: ['orders:read', 'orders:write'],
      tokenVersion: 3,
    })
    expect(auth.claims.iss).toBe(tessera.issuer)
    expect(Object.isFrozen(auth) && Object.isFrozen(auth.scopes) && Object.isFrozen(auth.claims)).toBe(true)
  })

  it('gives a machine token no session and no token version', async () => {
    const { verifier, token } = await createFixture()
    const auth = await verifier.verify(
      await token({ sub: 'nightly-job', client_id: 'nightly-job', sid: undefined, auth_time: undefined, tessera_tv: undefined, scope: '' }),
    )
    expect(auth).toMatchObject({ subject: 'nightly-job', sessionId: null, clientId: 'nightly-job', scopes: [], tokenVersion: null })
  })

  it('rejects an expired token as token_expired, but within the leeway accepts it', async () => {
    const { verifier, token, clock } = await createFixture()
    const now = Math.floor(clock.now() / 1000)
    expect(await codeOf(verifier.verify(await token({ iat: now - 400, exp: now - 6 })))).toBe('token_expired')
    await expect(verifier.verify(await token({ iat: now - 400, exp: now - 4 }))).resolves.toBeDefined()
  })

  it('honours a configured leeway of 0: a token is dead from its exp second on', async () => {
    const { another, token, clock } = await createFixture()
    const verifier = another({ leeway: 0 })
    const now = clock.now() / 1000
    expect(await codeOf(verifier.verify(await token({ iat: Math.floor(now) - 10, exp: Math.floor(now) })))).toBe('token_expired')
    await expect(verifier.verify(await token({ iat: Math.floor(now) - 10, exp: Math.floor(now) + 1 }))).resolves.toBeDefined()
  })

  it('rejects an exp that is not a finite NumericDate: 1e400, a string, a negative number, or none', async () => {
    const { verifier, token, key, tessera, clock } = await createFixture()
    const iat = Math.floor(clock.now() / 1000)
    const raw = `{"iss":${JSON.stringify(tessera.issuer)},"sub":"user-1","aud":"${AUDIENCE}","exp":1e400,"iat":${iat},"jti":"j1","client_id":"web-app","scope":""}`
    expect(await codeOf(verifier.verify(await signToken(key, raw)))).toBe('invalid_token')
    for (const exp of [String(iat + 300), undefined, null, -1, -0.5]) {
      expect(await codeOf(verifier.verify(await token({ exp })))).toBe('invalid_token')
    }
  })

  it('rejects an exp that is not after iat', async () => {
    const { verifier, token, clock } = await createFixture()
    const iat = Math.floor(clock.now() / 1000)
    expect(await codeOf(verifier.verify(await token({ iat, exp: iat })))).toBe('invalid_token')
  })

  it('rejects a token not valid yet (nbf) beyond the leeway, and accepts it within', async () => {
    const { verifier, token, clock } = await createFixture()
    const now = Math.floor(clock.now() / 1000)
    expect(await codeOf(verifier.verify(await token({ nbf: now + 7 })))).toBe('invalid_token')
    await expect(verifier.verify(await token({ nbf: now + 4 }))).resolves.toBeDefined()
    expect(await codeOf(verifier.verify(await token({ nbf: 'now' })))).toBe('invalid_token')
  })

  it('rejects a token issued in the future (iat) beyond the leeway, and a missing or fractional iat', async () => {
    const { verifier, token, clock } = await createFixture()
    const now = Math.floor(clock.now() / 1000)
    expect(await codeOf(verifier.verify(await token({ iat: now + 7, exp: now + 300 })))).toBe('invalid_token')
    await expect(verifier.verify(await token({ iat: now + 4, exp: now + 300 }))).resolves.toBeDefined()
    for (const iat of [undefined, `${now}`]) expect(await codeOf(verifier.verify(await token({ iat })))).toBe('invalid_token')
  })

  it('accepts NumericDates with a fractional part (RFC 7519 §2) in exp, iat, nbf and auth_time, and still judges them (issue 16)', async () => {
    const { verifier, token, clock } = await createFixture()
    const now = clock.now() / 1000
    const auth = await verifier.verify(await token({ iat: now - 0.25, nbf: now - 0.75, exp: now + 299.5, auth_time: now - 10.5 }))
    expect(auth.claims.exp).toBe(now + 299.5)
    // Fractions are not a way around the rules: still expired, still not valid yet.
    expect(await codeOf(verifier.verify(await token({ iat: now - 400.5, exp: now - 5.5 })))).toBe('token_expired')
    expect(await codeOf(verifier.verify(await token({ nbf: now + 6.5 })))).toBe('invalid_token')
    expect(await codeOf(verifier.verify(await token({ tessera_tv: 1.5 })))).toBe('invalid_token')
  })

  it('rejects a wrong iss, compared exactly', async () => {
    const { verifier, token, tessera } = await createFixture()
    for (const iss of [`${tessera.issuer}/`, tessera.issuer.toUpperCase(), 'https://evil.example', undefined, [tessera.issuer]]) {
      expect(await codeOf(verifier.verify(await token({ iss })))).toBe('invalid_token')
    }
  })

  it('rejects a wrong aud, and accepts an array that holds ours', async () => {
    const { verifier, token } = await createFixture()
    for (const aud of ['https://other.example.test', `${AUDIENCE}/`, undefined, ['https://other.example.test'], []]) {
      expect(await codeOf(verifier.verify(await token({ aud })))).toBe('invalid_token')
    }
    await expect(verifier.verify(await token({ aud: ['https://other.example.test', AUDIENCE] }))).resolves.toBeDefined()
  })

  it('rejects a token missing a required claim or carrying one of the wrong type', async () => {
    const { verifier, token } = await createFixture()
    const broken = [
      { sub: undefined },
      { sub: 42 },
      { sub: '' },
      { jti: undefined },
      { client_id: undefined },
      { client_id: ['web-app'] },
      { scope: undefined },
      { scope: ['orders:read'] },
      { sid: 7 },
      { sid: '' },
      { tessera_tv: '3' },
      { tessera_tv: 2.5 },
      { auth_time: 'yesterday' },
    ]
    for (const claims of broken) expect(await codeOf(verifier.verify(await token(claims))), JSON.stringify(claims)).toBe('invalid_token')
  })

  it('rejects a payload that is not a JSON object', async () => {
    const { verifier, key } = await createFixture()
    for (const raw of ['[]', '"token"', 'null', '{"sub":', '\u00ff'])
      expect(await codeOf(verifier.verify(await signToken(key, raw)))).toBe('invalid_token')
  })

  it('checks scopes: all required ones present, or 403 insufficient_scope naming them', async () => {
    const { verifier, token } = await createFixture()
    const good = await token({ scope: 'orders:read' })
    await expect(verifier.verify(good, { scopes: ['orders:read'] })).resolves.toBeDefined()
    const error = await verifier.verify(good, { scopes: ['orders:read', 'orders:write'] }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      code: 'insufficient_scope',
      status: 403,
      oauthError: 'insufficient_scope',
      scopes: ['orders:read', 'orders:write'],
    })
  })

  it('never puts the token in an error message', async () => {
    const { verifier, token, clock } = await createFixture()
    const now = Math.floor(clock.now() / 1000)
    const expired = await token({ iat: now - 400, exp: now - 100 })
    const error = (await verifier.verify(expired).catch((caught: unknown) => caught)) as Error
    expect(error.message).not.toContain(expired.split('.')[1])
    expect(JSON.stringify(error)).not.toContain(expired.split('.')[1])
  })
})
