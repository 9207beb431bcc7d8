import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { AUDIENCE, createFixture } from '../../test/verifier-fixture.js'

// RFC 9470 §3: the challenge names the acceptable acr values and the maximum age.
const CHALLENGE = `Bearer realm="${AUDIENCE}", error="insufficient_user_authentication", acr_values="urn:tessera:acr:mfa", max_age="300"`

import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { BearerVerifier } from '../http/require-auth-options.js'
import { type AuthEnv, requireAuth } from './require-auth.js'

function serve(verifier: BearerVerifier, options: Parameters<typeof requireAuth>[1] = {}) {
  const app = new Hono<AuthEnv>()
  app.get('/orders', requireAuth(verifier, options), (c) => c.json({ subject: c.get('auth').subject }))
  app.onError((_error, c) => c.text('failed', 500))
  return (authorization?: string) => app.request('/orders', { headers: authorization ? { authorization } : {} })
}

describe('requireAuth for hono', () => {
  it('lets a valid token through and sets c.get("auth")', async () => {
    const { verifier, token } = await createFixture()
    const response = await serve(verifier, { scopes: ['orders:read'] })(`Bearer ${await token()}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ subject: 'user-1' })
  })

  it('answers a missing token with 401 and a bare challenge, a bad one with invalid_token', async () => {
    const { verifier } = await createFixture()
    const get = serve(verifier)
    const missing = await get()
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe(`Bearer realm="${AUDIENCE}"`)
    const bad = await get('Bearer not-a-jwt')
    expect(bad.status).toBe(401)
    expect(bad.headers.get('www-authenticate')).toBe(`Bearer realm="${AUDIENCE}", error="invalid_token"`)
    expect(await bad.json()).toMatchObject({ code: 'invalid_token' })
  })

  it('answers a token without the scope with 403 insufficient_scope', async () => {
    const { verifier, token } = await createFixture()
    const response = await serve(verifier, { scopes: ['orders:admin'] })(`Bearer ${await token()}`)
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${AUDIENCE}", error="insufficient_scope", scope="orders:admin"`)
  })

  it('answers a stale feed with 503, and leaves other errors to hono', async () => {
    const stale: BearerVerifier = {
      audience: AUDIENCE,
      verify: () => Promise.reject(new TesseraAuthError('stale_revocation_feed', { retryAfter: 1 })),
    }
    const response = await serve(stale)('Bearer abc')
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('1')
    const broken: BearerVerifier = { audience: AUDIENCE, verify: () => Promise.reject(new Error('bug')) }
    expect((await serve(broken)('Bearer abc')).status).toBe(500)
  })

  it('answers a token whose authentication is too old or too weak with an RFC 9470 step-up challenge', async () => {
    const { verifier, token, clock } = await createFixture()
    const get = serve(verifier, { maxAge: 300, acr: 'urn:tessera:acr:mfa' })
    const now = Math.floor(clock.now() / 1000)
    const weak = await get(`Bearer ${await token({ auth_time: now - 30, acr: 'urn:tessera:acr:sfa' })}`)
    expect(weak.status).toBe(401)
    expect(weak.headers.get('www-authenticate')).toBe(CHALLENGE)
    expect(await weak.json()).toMatchObject({ code: 'insufficient_user_authentication', status: 401 })
    const old = await get(`Bearer ${await token({ auth_time: now - 3600, acr: 'urn:tessera:acr:mfa' })}`)
    expect(old.status).toBe(401)
    expect(old.headers.get('www-authenticate')).toBe(CHALLENGE)
    const good = await get(`Bearer ${await token({ auth_time: now - 30, acr: 'urn:tessera:acr:mfa' })}`)
    expect(good.status).toBe(200)
  })
})
