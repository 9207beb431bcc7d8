import type { AddressInfo } from 'node:net'
import express from 'express'
import { describe, expect, it, onTestFinished } from 'vitest'
import { AUDIENCE, createFixture } from '../../test/verifier-fixture.js'

// RFC 9470 §3: the challenge names the acceptable acr values and the maximum age.
const CHALLENGE = `Bearer realm="${AUDIENCE}", error="insufficient_user_authentication", acr_values="urn:tessera:acr:mfa", max_age="300"`

import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { BearerVerifier } from '../http/require-auth-options.js'
import { requireAuth } from './require-auth.js'

async function serve(verifier: BearerVerifier, options: Parameters<typeof requireAuth>[1] = {}) {
  const app = express()
  app.get('/orders', requireAuth(verifier, options), (req, res) => {
    res.json({ subject: req.auth?.subject, scopes: req.auth?.scopes })
  })
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).send('failed')
  })
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return (authorization?: string) => fetch(`${base}/orders`, { headers: authorization ? { authorization } : {} })
}

describe('requireAuth for express', () => {
  it('lets a valid token through and puts the auth context on req.auth', async () => {
    const { verifier, token } = await createFixture()
    const get = await serve(verifier, { scopes: ['orders:read'] })
    const response = await get(`Bearer ${await token()}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ subject: 'user-1', scopes: ['orders:read', 'orders:write'] })
  })

  it('answers a missing token with 401 and a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const { verifier } = await createFixture()
    const get = await serve(verifier)
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz']) {
      const response = await get(authorization)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${AUDIENCE}"`)
      expect(await response.json()).toMatchObject({ code: 'missing_token', status: 401 })
    }
  })

  it('answers a bad token with 401 invalid_token and a problem body', async () => {
    const { verifier, token, clock } = await createFixture()
    const get = await serve(verifier, { realm: 'orders' })
    const now = Math.floor(clock.now() / 1000)
    for (const [bad, code] of [
      ['not-a-jwt', 'invalid_token'],
      [await token({ iat: now - 900, exp: now - 600 }), 'token_expired'],
    ]) {
      const response = await get(`Bearer ${bad}`)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orders", error="invalid_token"')
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(await response.json()).toEqual({ type: `urn:tessera:error:${code}`, title: expect.any(String), status: 401, code })
    }
  })

  it('answers a malformed Authorization header with 400 invalid_request', async () => {
    const { verifier } = await createFixture()
    const get = await serve(verifier)
    const response = await get('Bearer two tokens')
    expect(response.status).toBe(400)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${AUDIENCE}", error="invalid_request"`)
  })

  it('answers a token without the scope with 403 insufficient_scope naming the scope', async () => {
    const { verifier, token } = await createFixture()
    const get = await serve(verifier, { scopes: ['orders:admin'] })
    const response = await get(`Bearer ${await token()}`)
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${AUDIENCE}", error="insufficient_scope", scope="orders:admin"`)
    expect(await response.json()).toMatchObject({ code: 'insufficient_scope' })
  })

  it('answers a stale feed with 503 and Retry-After, and passes other errors to next()', async () => {
    const stale: BearerVerifier = {
      audience: AUDIENCE,
      verify: () => Promise.reject(new TesseraAuthError('stale_revocation_feed', { retryAfter: 1 })),
    }
    const response = await (await serve(stale))('Bearer abc')
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('1')
    expect(response.headers.get('www-authenticate')).toBeNull()
    const broken: BearerVerifier = { audience: AUDIENCE, verify: () => Promise.reject(new Error('bug')) }
    expect((await (await serve(broken))('Bearer abc')).status).toBe(500)
  })

  it('answers a token whose authentication is too old or too weak with an RFC 9470 step-up challenge', async () => {
    const { verifier, token, clock } = await createFixture()
    const get = await serve(verifier, { maxAge: 300, acr: 'urn:tessera:acr:mfa' })
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
