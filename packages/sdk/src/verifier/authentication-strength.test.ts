import { describe, expect, it } from 'vitest'
import { AUDIENCE, codeOf, createFixture } from '../../test/verifier-fixture.js'
import { TesseraAuthError } from '../errors/tessera-auth-error.js'

const MFA = 'urn:tessera:acr:mfa'
const SFA = 'urn:tessera:acr:sfa'
const PHR = 'urn:tessera:acr:phr'

describe('step-up: a route may demand a fresh or strong authentication (RFC 9470)', () => {
  it('accepts a token whose authentication is recent enough and strong enough, and exposes auth_time, acr and amr', async () => {
    const { verifier, token, clock } = await createFixture()
    const now = Math.floor(clock.now() / 1000)
    const auth = await verifier.verify(await token({ auth_time: now - 100, acr: MFA, amr: ['pwd', 'otp', 'mfa'] }), {
      maxAge: 300,
      acr: MFA,
    })
    expect(auth.authTime).toBe(now - 100)
    expect(auth.acr).toBe(MFA)
    expect(auth.amr).toEqual(['pwd', 'otp', 'mfa'])
  })

  it('refuses an authentication older than maxAge with insufficient_user_authentication, naming max_age', async () => {
    const { verifier, token, clock } = await createFixture()
    const now = Math.floor(clock.now() / 1000)
    const stale = await token({ auth_time: now - 301 - 60 }) // beyond maxAge and the default leeway
    const error = await verifier.verify(stale, { maxAge: 300 }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TesseraAuthError)
    expect(error).toMatchObject({ code: 'insufficient_user_authentication', status: 401, maxAge: 300, acrValues: [] })
    // The same token is fine for a route that does not ask.
    await expect(verifier.verify(stale)).resolves.toMatchObject({ subject: 'user-1' })
  })

  it('follows the clock: a token fresh now is refused once maxAge has passed', async () => {
    const { verifier, token, clock } = await createFixture({ leeway: 0 })
    const fresh = await token({ auth_time: Math.floor(clock.now() / 1000) })
    await expect(verifier.verify(fresh, { maxAge: 120 })).resolves.toBeDefined()
    clock.advance(121_000)
    expect(await codeOf(verifier.verify(fresh, { maxAge: 120 }))).toBe('insufficient_user_authentication')
  })

  it('fails closed when the token does not say when or how the user authenticated', async () => {
    const { verifier, token } = await createFixture()
    expect(await codeOf(verifier.verify(await token({ auth_time: undefined }), { maxAge: 3600 }))).toBe('insufficient_user_authentication')
    expect(await codeOf(verifier.verify(await token({ acr: undefined }), { acr: SFA }))).toBe('insufficient_user_authentication')
  })

  it('ranks Tessera levels: phr satisfies mfa, mfa satisfies sfa, sfa does not satisfy mfa', async () => {
    const { verifier, token } = await createFixture()
    await expect(verifier.verify(await token({ acr: PHR }), { acr: MFA })).resolves.toBeDefined()
    await expect(verifier.verify(await token({ acr: MFA }), { acr: [SFA] })).resolves.toBeDefined()
    const error = await verifier.verify(await token({ acr: SFA }), { acr: MFA }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'insufficient_user_authentication', acrValues: [MFA], maxAge: undefined })
  })

  it('compares other acr values exactly, never by rank or prefix', async () => {
    const { verifier, token } = await createFixture()
    await expect(verifier.verify(await token({ acr: 'urn:example:gold' }), { acr: ['urn:example:gold'] })).resolves.toBeDefined()
    for (const acr of ['urn:example:goldish', 'urn:example:GOLD', 'urn:tessera:acr:mfa2']) {
      expect(await codeOf(verifier.verify(await token({ acr }), { acr: ['urn:example:gold', MFA] }))).toBe(
        'insufficient_user_authentication',
      )
    }
  })

  it('refuses tokens whose acr or amr have the wrong type, whatever the route asks', async () => {
    const { verifier, token } = await createFixture()
    for (const claims of [{ acr: 7 }, { acr: '' }, { amr: 'pwd' }, { amr: ['pwd', 3] }, { auth_time: '1700000000' }]) {
      expect(await codeOf(verifier.verify(await token(claims)))).toBe('invalid_token')
    }
  })

  it('applies in session mode to what introspection answers, and drops mistyped values so the check fails closed', async () => {
    const { verifier, tessera, clock } = await createFixture({ mode: 'session' })
    const now = Math.floor(clock.now() / 1000)
    let extra: Record<string, unknown> = { auth_time: now - 10, acr: MFA, amr: ['pwd', 'otp'] }
    tessera.introspect = () => ({
      status: 200,
      body: { active: true, iss: tessera.issuer, sub: 'user-7', aud: AUDIENCE, client_id: 'web-app', scope: '', exp: now + 600, ...extra },
    })
    const opaque = 'AbCdEf123456.s3cr3t-part_xyz'
    await expect(verifier.verify(opaque, { maxAge: 60, acr: MFA })).resolves.toMatchObject({ authTime: now - 10, acr: MFA })
    extra = { auth_time: String(now - 10), acr: 5 }
    expect(await codeOf(verifier.verify(opaque, { maxAge: 60 }))).toBe('insufficient_user_authentication')
    expect(await codeOf(verifier.verify(opaque, { acr: MFA }))).toBe('insufficient_user_authentication')
  })
})
