import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { installCsrfPolicy, isCrossSite, isStateChanging, UndeclaredCsrfPolicyError } from './csrf.js'

const trusted = new Set(['https://id.example.com'])

describe('isCrossSite', () => {
  it('trusts same-origin and user-initiated requests, and requests without browser headers', () => {
    expect(isCrossSite({ 'sec-fetch-site': 'same-origin', origin: 'https://id.example.com' }, trusted)).toBe(false)
    expect(isCrossSite({ 'sec-fetch-site': 'none' }, trusted)).toBe(false)
    expect(isCrossSite({}, trusted)).toBe(false)
  })

  it('refuses cross-site and same-site fetch metadata', () => {
    expect(isCrossSite({ 'sec-fetch-site': 'cross-site' }, trusted)).toBe(true)
    expect(isCrossSite({ 'sec-fetch-site': 'same-site' }, trusted)).toBe(true)
  })

  it('refuses an Origin that is not trusted, including the opaque "null" origin', () => {
    expect(isCrossSite({ origin: 'https://evil.example' }, trusted)).toBe(true)
    expect(isCrossSite({ origin: 'null' }, trusted)).toBe(true)
    expect(isCrossSite({ origin: 'https://id.example.com.evil.example' }, trusted)).toBe(true)
    expect(isCrossSite({ origin: 'http://id.example.com' }, trusted)).toBe(true)
  })

  it('treats only GET, HEAD and OPTIONS as safe', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].map(isStateChanging)).toEqual([false, false, false])
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(isStateChanging)).toEqual([true, true, true, true])
  })
})

describe('the CSRF policy, declared per route', () => {
  async function appWithPolicy() {
    const { default: Fastify } = await import('fastify')
    const { installCsrfPolicy } = await import('./csrf.js')
    const app = Fastify()
    installCsrfPolicy(app, {
      trustedOrigins: trusted,
      sessionCookie: 'sid',
      exemptions: [{ method: 'POST', url: '/none', reason: 'a route that declares no policy, for this test' }],
    })
    app.setErrorHandler((error: { code?: string }, _request, reply) => reply.code(403).send({ code: error.code }))
    app.post('/reject', { config: { csrf: 'reject' } }, async () => ({ ok: true }))
    app.post('/cookie', { config: { csrf: 'cookie' } }, async () => ({ ok: true }))
    app.post('/mark', { config: { csrf: 'mark' } }, async (request) => ({ crossSite: request.crossSite }))
    app.post('/none', async () => ({ ok: true }))
    app.get('/reject', { config: { csrf: 'reject' } }, async () => ({ ok: true }))
    return app
  }
  const crossSite = { origin: 'https://evil.example' }

  it('reject: refuses every cross-site state change with csrf_rejected, and lets same-origin and safe methods through', async () => {
    const app = await appWithPolicy()
    const refused = await app.inject({ method: 'POST', url: '/reject', headers: crossSite })
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'csrf_rejected'])
    expect((await app.inject({ method: 'POST', url: '/reject', headers: { origin: 'https://id.example.com' } })).statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: '/reject', headers: crossSite })).statusCode).toBe(200)
    expect((await app.inject({ method: 'POST', url: '/none', headers: crossSite })).statusCode).toBe(200)
  })

  it('cookie: refuses only what the session cookie would authenticate; a bearer request passes', async () => {
    const app = await appWithPolicy()
    const withCookie = await app.inject({ method: 'POST', url: '/cookie', headers: { ...crossSite, cookie: 'a=1; sid=x' } })
    expect(withCookie.json().code).toBe('csrf_rejected')
    const bearer = await app.inject({
      method: 'POST',
      url: '/cookie',
      headers: { ...crossSite, cookie: 'sid=x', authorization: 'Bearer t' },
    })
    expect(bearer.statusCode).toBe(200)
    expect((await app.inject({ method: 'POST', url: '/cookie', headers: { ...crossSite, cookie: 'xsid=x' } })).statusCode).toBe(200)
  })

  it('mark: serves a cross-site post but marks it, so it cannot confirm anything', async () => {
    const app = await appWithPolicy()
    expect((await app.inject({ method: 'POST', url: '/mark', headers: crossSite })).json()).toEqual({ crossSite: true })
    expect((await app.inject({ method: 'POST', url: '/mark', headers: { 'sec-fetch-site': 'same-origin' } })).json()).toEqual({
      crossSite: false,
    })
  })
})

describe('every state-changing route declares its CSRF policy', () => {
  const exemptions = [
    { method: '*', url: '/bearer-api/*', reason: 'bearer tokens only' },
    { method: 'POST', url: '/client-authenticated', reason: 'client credentials only' },
  ]

  /** The error the app stops with once `register` has added its routes, or null when it starts. */
  async function startupError(register: (app: FastifyInstance) => void): Promise<unknown> {
    const app = Fastify()
    installCsrfPolicy(app, { trustedOrigins: trusted, sessionCookie: 'sid', exemptions })
    try {
      register(app)
      await app.ready()
      return null
    } catch (error) {
      return error
    } finally {
      await app.close()
    }
  }

  it('refuses to start with a POST, PUT, PATCH or DELETE route that declares no policy and is not exempted', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const error = await startupError((app) => app.route({ method, url: '/ui/forgotten', handler: async () => ({}) }))
      expect(error).toBeInstanceOf(UndeclaredCsrfPolicyError)
      expect((error as Error).message).toContain(`${method} /ui/forgotten`)
    }
    // Inside a plugin, under a prefix, as the real routes are registered.
    const nested = await startupError((app) => {
      app.register(async (child) => child.post('/forgotten', async () => ({})), { prefix: '/ui' })
    })
    expect(nested).toBeInstanceOf(UndeclaredCsrfPolicyError)
    // Exempting one method of a URL exempts no other.
    expect(await startupError((app) => app.delete('/client-authenticated', async () => ({})))).toBeInstanceOf(UndeclaredCsrfPolicyError)
    expect(await startupError((app) => app.post('/bearer-api', async () => ({})))).toBeInstanceOf(UndeclaredCsrfPolicyError)
  })

  it('starts with declared policies, safe methods, and exempted routes', async () => {
    const error = await startupError((app) => {
      app.post('/ui/sign-in', { config: { csrf: 'reject' } }, async () => ({}))
      app.delete('/v1/sessions/:id', { config: { csrf: 'cookie' } }, async () => ({}))
      app.get('/ui/sign-in', async () => ({}))
      app.post('/client-authenticated', async () => ({}))
      app.patch('/bearer-api/users/:id', async () => ({}))
    })
    expect(error).toBeNull()
  })
})
