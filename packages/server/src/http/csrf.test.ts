import { describe, expect, it } from 'vitest'
import { isCrossSite, isStateChanging } from './csrf.js'

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
    installCsrfPolicy(app, { trustedOrigins: trusted, sessionCookie: 'sid' })
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
