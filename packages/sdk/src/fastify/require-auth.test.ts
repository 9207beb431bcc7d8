import Fastify from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { AUDIENCE, createFixture } from '../../test/verifier-fixture.js'

// RFC 9470 §3: the challenge names the acceptable acr values and the maximum age.
const CHALLENGE = `Bearer realm="${AUDIENCE}", error="insufficient_user_authentication", acr_values="urn:tessera:acr:mfa", max_age="300"`

import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { BearerVerifier } from '../http/require-auth-options.js'
import { requireAuth } from './require-auth.js'

function serve(verifier: BearerVerifier, options: Parameters<typeof requireAuth>[1] = {}) {
  const app = Fastify()
  app.get('/orders', { preHandler: requireAuth(verifier, options) }, async (request) => ({ subject: request.auth?.subject }))
  onTestFinished(() => app.close())
  return (authorization?: string) => app.inject({ method: 'GET', url: '/orders', headers: authorization ? { authorization } : {} })
}

describe('requireAuth for fastify', () => {
  it('lets a valid token through and puts the auth context on request.auth', async () => {
    const { verifier, token } = await createFixture()
    const response = await serve(verifier, { scopes: ['orders:read'] })(`Bearer ${await token()}`)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ subject: 'user-1' })
  })

  it('answers a missing token with 401 and a bare challenge, a bad one with invalid_token', async () => {
    const { verifier } = await createFixture()
    const get = serve(verifier)
    const missing = await get()
    expect(missing.statusCode).toBe(401)
    expect(missing.headers['www-authenticate']).toBe(`Bearer realm="${AUDIENCE}"`)
    const bad = await get('Bearer not-a-jwt')
    expect(bad.statusCode).toBe(401)
    expect(bad.headers['www-authenticate']).toBe(`Bearer realm="${AUDIENCE}", error="invalid_token"`)
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(bad.json()).toMatchObject({ code: 'invalid_token', status: 401 })
  })

  it('answers a token without the scope with 403 insufficient_scope', async () => {
    const { verifier, token } = await createFixture()
    const response = await serve(verifier, { scopes: ['orders:admin', 'orders:read'] })(`Bearer ${await token()}`)
    expect(response.statusCode).toBe(403)
    expect(response.headers['www-authenticate']).toBe(
      `Bearer realm="${AUDIENCE}", error="insufficient_scope", scope="orders:admin orders:read"`,
    )
  })

  it('answers a stale feed with 503, and leaves other errors to fastify', async () => {
    const stale: BearerVerifier = {
      audience: AUDIENCE,
      verify: () => Promise.reject(new TesseraAuthError('stale_revocation_feed', { retryAfter: 1 })),
    }
    const response = await serve(stale)('Bearer abc')
    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('1')
    const broken: BearerVerifier = { audience: AUDIENCE, verify: () => Promise.reject(new Error('bug')) }
    expect((await serve(broken)('Bearer abc')).statusCode).toBe(500)
  })

  it('answers a token whose authentication is too old or too weak with an RFC 9470 step-up challenge', async () => {
    const { verifier, token, clock } = await createFixture()
    const get = serve(verifier, { maxAge: 300, acr: 'urn:tessera:acr:mfa' })
    const now = Math.floor(clock.now() / 1000)
    const weak = await get(`Bearer ${await token({ auth_time: now - 30, acr: 'urn:tessera:acr:sfa' })}`)
    expect(weak.statusCode).toBe(401)
    expect(weak.headers['www-authenticate']).toBe(CHALLENGE)
    expect(weak.json()).toMatchObject({ code: 'insufficient_user_authentication', status: 401 })
    const old = await get(`Bearer ${await token({ auth_time: now - 3600, acr: 'urn:tessera:acr:mfa' })}`)
    expect(old.statusCode).toBe(401)
    expect(old.headers['www-authenticate']).toBe(CHALLENGE)
    const good = await get(`Bearer ${await token({ auth_time: now - 30, acr: 'urn:tessera:acr:mfa' })}`)
    expect(good.statusCode).toBe(200)
  })
})
