import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import { Browser, type Client, createClient, createUser, ISSUER, obtainCode, pkce, REDIRECT, serve } from '../../test/oidc-fixture.js'
import type { TestServer } from '../../test/test-server.js'

// Issue 16 part 1: CORS per application. The SPA's origin is its redirect URI's by default.
const SPA_ORIGIN = new URL(REDIRECT).origin
const OTHER_ORIGIN = 'https://evil.example.test'
const CLI = { kind: 'cli' } as const

type Headers = Record<string, string>

function form(server: TestServer, url: string, body: Record<string, string>, headers: Headers = {}) {
  return server.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(body).toString(),
  })
}

function preflight(server: TestServer, url: string, origin: string, method = 'POST', headers: Headers = {}) {
  return server.app.inject({
    method: 'OPTIONS',
    url,
    headers: { origin, 'access-control-request-method': method, ...headers },
  })
}

/** A public SPA client and a code waiting to be redeemed by it. */
async function spaWithCode(onTestFinished: Parameters<typeof serve>[0]) {
  const server = await serve(onTestFinished)
  await createUser(server)
  const spa = await createClient(server, { type: 'spa' })
  const { verifier, challenge } = pkce()
  const code = await obtainCode(server, new Browser(server.app), spa, challenge)
  const redeem = (headers: Headers) =>
    form(
      server,
      '/oauth/token',
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: spa.id },
      headers,
    )
  return { server, spa, redeem }
}

async function spaTokens(onTestFinished: Parameters<typeof serve>[0]) {
  const { server, spa, redeem } = await spaWithCode(onTestFinished)
  const response = await redeem({ origin: SPA_ORIGIN })
  expect(response.statusCode).toBe(200)
  return { server, spa, tokens: response.json() as { access_token: string; refresh_token: string } }
}

function expectNoCors(response: LightMyRequestResponse) {
  expect(response.headers['access-control-allow-origin']).toBeUndefined()
  expect(response.headers['access-control-allow-credentials']).toBeUndefined()
}

function expectAllowed(response: LightMyRequestResponse, origin: string) {
  expect(response.headers['access-control-allow-origin']).toBe(origin)
  expect(response.headers['access-control-allow-credentials']).toBeUndefined()
  expect(response.headers.vary).toBe('Origin')
}

/** The origin refusal on an OAuth endpoint: RFC 6749 §5.2 form, and nothing a page may read. */
function expectRefused(response: LightMyRequestResponse) {
  expect(response.statusCode).toBe(400)
  expect(response.json()).toMatchObject({ error: 'invalid_request' })
  expectNoCors(response)
  expect(response.headers.vary).toBe('Origin')
}

describe('CORS on the public documents', () => {
  it('lets any origin read discovery and the JWKS, without credentials', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/.well-known/jwks.json']) {
      const response = await server.app.inject({ method: 'GET', url, headers: { origin: OTHER_ORIGIN } })
      expect(response.statusCode).toBe(200)
      expect(response.headers['access-control-allow-origin']).toBe('*')
      expect(response.headers['access-control-allow-credentials']).toBeUndefined()
      // HEAD too: Fastify registers it from the GET's options, after the CORS hooks were added to them.
      const head = await server.app.inject({ method: 'HEAD', url, headers: { origin: OTHER_ORIGIN } })
      expect(head.statusCode).toBe(200)
      expect(head.headers['access-control-allow-origin']).toBe('*')

      const answer = await preflight(server, url, OTHER_ORIGIN, 'GET', { 'access-control-request-headers': 'cache-control' })
      expect(answer.statusCode).toBe(204)
      expect(answer.headers['access-control-allow-origin']).toBe('*')
      expect(answer.headers['access-control-allow-methods']).toContain('GET')
      expect(answer.headers['access-control-allow-headers']).toBe('cache-control')
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined()
    }
  })

  it('answers OPTIONS on a path with no CORS policy as not found', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    for (const url of ['/oauth/introspect', '/v1/sign-in', '/nowhere']) {
      const response = await preflight(server, url, SPA_ORIGIN)
      expect(response.statusCode).toBe(404)
      expectNoCors(response)
    }
  })
})

describe('CORS at the token endpoint', () => {
  it('answers the preflight of an origin an application allows, and refuses any other', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createClient(server, { type: 'spa' })
    const allowed = await preflight(server, '/oauth/token', SPA_ORIGIN, 'POST', { 'access-control-request-headers': 'content-type' })
    expect(allowed.statusCode).toBe(204)
    expectAllowed(allowed, SPA_ORIGIN)
    expect(allowed.headers['access-control-allow-methods']).toBe('POST')
    expect(allowed.headers['access-control-allow-headers']).toBe('Authorization, Content-Type, DPoP')

    const refused = await preflight(server, '/oauth/token', OTHER_ORIGIN)
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'origin_not_allowed' })
    expectNoCors(refused)
    expect(refused.headers.vary).toBe('Origin')
  })

  it("redeems a public SPA's code for a page on its origin, which may read the answer", async ({ onTestFinished }) => {
    const { redeem } = await spaWithCode(onTestFinished)
    const response = await redeem({ origin: SPA_ORIGIN })
    expect(response.statusCode).toBe(200)
    expectAllowed(response, SPA_ORIGIN)
    expect(response.headers['access-control-expose-headers']).toContain('WWW-Authenticate')
    expect(response.json()).toHaveProperty('access_token')
  })

  it('refuses a page on another origin before the code is spent (a "simple" POST needs no preflight)', async ({ onTestFinished }) => {
    const { redeem } = await spaWithCode(onTestFinished)
    for (const origin of [OTHER_ORIGIN, 'null', `${SPA_ORIGIN}:8443`, 'http://app.example.test']) {
      expectRefused(await redeem({ origin }))
    }
    // The code is still good: nothing was redeemed, no family was revoked as a replay.
    const response = await redeem({ origin: SPA_ORIGIN })
    expect(response.statusCode).toBe(200)
  })

  it('refuses a cross-origin request for a confidential client with no web origins, and spends nothing', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const web = await createClient(server, { type: 'web' })
    const { verifier, challenge } = pkce()
    const code = await obtainCode(server, new Browser(server.app), web, challenge)
    const basic = `Basic ${Buffer.from(`${web.id}:${web.secret}`).toString('base64')}`
    const body = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }
    expectRefused(await form(server, '/oauth/token', body, { authorization: basic, origin: SPA_ORIGIN }))
    // Its server, which sends no Origin, redeems the same code; no CORS header goes to it.
    const response = await form(server, '/oauth/token', body, { authorization: basic })
    expect(response.statusCode).toBe(200)
    expectNoCors(response)
    expect(response.headers.vary).toBe('Origin')
  })

  it('refuses a cross-origin request that names no client', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createClient(server, { type: 'spa' })
    expectRefused(await form(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: 'x' }, { origin: SPA_ORIGIN }))
    expectRefused(await form(server, '/oauth/token', { grant_type: 'refresh_token' }, { origin: SPA_ORIGIN, authorization: 'Basic !!' }))
  })

  it("treats the issuer's own origin as same-origin", async ({ onTestFinished }) => {
    const { redeem } = await spaWithCode(onTestFinished)
    const response = await redeem({ origin: ISSUER })
    expect(response.statusCode).toBe(200)
    expectNoCors(response)
  })

  it('refreshes for the allowed origin only; a refused refresh rotates nothing', async ({ onTestFinished }) => {
    const { server, spa, tokens } = await spaTokens(onTestFinished)
    const refresh = (origin: string) =>
      form(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: spa.id }, { origin })
    expectRefused(await refresh(OTHER_ORIGIN))
    const response = await refresh(SPA_ORIGIN)
    expect(response.statusCode).toBe(200)
    expectAllowed(response, SPA_ORIGIN)
  })
})

describe('CORS at revocation and userinfo', () => {
  it('revokes for the allowed origin; a page on another origin revokes nothing', async ({ onTestFinished }) => {
    const { server, spa, tokens } = await spaTokens(onTestFinished)
    const revoke = (origin: string) => form(server, '/oauth/revoke', { token: tokens.refresh_token, client_id: spa.id }, { origin })
    const refresh = () =>
      form(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: spa.id })

    const answer = await preflight(server, '/oauth/revoke', SPA_ORIGIN)
    expect(answer.statusCode).toBe(204)
    expectAllowed(answer, SPA_ORIGIN)

    expectRefused(await revoke(OTHER_ORIGIN))
    // Still alive: a refresh works (and rotates, so revoke the successor next).
    const rotated = await refresh()
    expect(rotated.statusCode).toBe(200)
    const successor = (rotated.json() as { refresh_token: string }).refresh_token

    const response = await form(server, '/oauth/revoke', { token: successor, client_id: spa.id }, { origin: SPA_ORIGIN })
    expect(response.statusCode).toBe(200)
    expectAllowed(response, SPA_ORIGIN)
    const dead = await form(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: successor, client_id: spa.id })
    expect(dead.json()).toMatchObject({ error: 'invalid_grant' })
  })

  it("answers userinfo's preflight and request for the token's client origin only", async ({ onTestFinished }) => {
    const { server, tokens } = await spaTokens(onTestFinished)
    const answer = await preflight(server, '/oauth/userinfo', SPA_ORIGIN, 'GET', { 'access-control-request-headers': 'authorization' })
    expect(answer.statusCode).toBe(204)
    expectAllowed(answer, SPA_ORIGIN)
    expect(answer.headers['access-control-allow-methods']).toContain('GET')
    expect(answer.headers['access-control-allow-methods']).toContain('POST')

    const get = (origin: string, token = tokens.access_token) =>
      server.app.inject({ method: 'GET', url: '/oauth/userinfo', headers: { origin, authorization: `Bearer ${token}` } })
    const response = await get(SPA_ORIGIN)
    expect(response.statusCode).toBe(200)
    expectAllowed(response, SPA_ORIGIN)
    expectRefused(await get(OTHER_ORIGIN))
    // A token that is not valid names no client: refused, and the page learns nothing.
    expectRefused(await get(SPA_ORIGIN, 'not.a.token'))
  })
})

describe('web origins set by an operator', () => {
  it('replace the default: the old origin is refused, the new one allowed, and null returns to the default', async ({ onTestFinished }) => {
    const { server, spa, redeem } = await spaWithCode(onTestFinished)
    const applications = server.tessera.services.applications
    const dev = 'http://localhost:5173'
    await applications.update(spa.id, { webOrigins: [dev, 'https://spa.example.test'] }, CLI)

    expect((await preflight(server, '/oauth/token', SPA_ORIGIN)).statusCode).toBe(403)
    expectRefused(await redeem({ origin: SPA_ORIGIN }))
    const preflighted = await preflight(server, '/oauth/token', dev)
    expect(preflighted.statusCode).toBe(204)
    expectAllowed(preflighted, dev)

    await applications.update(spa.id, { webOrigins: null }, CLI)
    expect((await preflight(server, '/oauth/token', dev)).statusCode).toBe(403)
    const response = await redeem({ origin: SPA_ORIGIN })
    expect(response.statusCode).toBe(200)
    expectAllowed(response, SPA_ORIGIN)
  })

  it('an empty list allows no origin, and deleting the application forgets its origins', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const applications = server.tessera.services.applications
    const spa: Client = await createClient(server, { type: 'spa' })
    await applications.update(spa.id, { webOrigins: [] }, CLI)
    expect((await preflight(server, '/oauth/token', SPA_ORIGIN)).statusCode).toBe(403)
    await applications.update(spa.id, { webOrigins: null }, CLI)
    expect((await preflight(server, '/oauth/token', SPA_ORIGIN)).statusCode).toBe(204)
    await applications.delete(spa.id, CLI)
    expect((await preflight(server, '/oauth/token', SPA_ORIGIN)).statusCode).toBe(403)
  })

  it('allow a web app chosen origins, which it has none of by default', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const web = await createClient(server, { type: 'web' })
    expect((await preflight(server, '/oauth/token', SPA_ORIGIN)).statusCode).toBe(403)
    const updated = await server.tessera.services.applications.update(web.id, { webOrigins: [SPA_ORIGIN] }, CLI)
    expect(updated.webOrigins).toEqual([SPA_ORIGIN])
    expect((await preflight(server, '/oauth/token', SPA_ORIGIN)).statusCode).toBe(204)
  })
})
