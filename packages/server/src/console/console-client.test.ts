import type { FastifyInstance } from 'fastify'
import { describe, expect, it, type TestContext } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { authorizeUrl, Browser, hiddenFields, ISSUER, pkce } from '../../test/oidc-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { createTestServer, PASSWORD, signUp, type TestServer } from '../../test/test-server.js'
import type { DialectName } from '../store/open-database.js'
import { CONSOLE_CLIENT_ID } from './console-client.js'

const CALLBACK = `${ISSUER}/console/callback`
const SCOPE = 'openid email offline_access admin:read admin:write'

async function serve(onTestFinished: TestContext['onTestFinished'], dialect: DialectName = 'sqlite'): Promise<TestServer> {
  const server = await createTestServer({ dialect })
  onTestFinished(() => server.close())
  return server
}

async function userWith(server: TestServer, email: string, role: 'write' | 'read' | 'none'): Promise<string> {
  const { body } = await signUp(server.app, email, { transport: 'bearer' })
  const id = body.user?.id as string
  if (role !== 'none') await server.tessera.services.adminBootstrap.grantToUser(id, { readOnly: role === 'read' }, { kind: 'cli' })
  return id
}

/** What the console does in the browser: authorize with PKCE, sign in on the hosted page, redeem the code. */
async function signInToConsole(app: FastifyInstance, email: string) {
  const browser = new Browser(app)
  const { verifier, challenge } = pkce()
  const params = {
    client_id: CONSOLE_CLIENT_ID,
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: SCOPE,
    resource: 'urn:tessera:admin',
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }
  let response = await browser.get(authorizeUrl(params))
  expect(response.statusCode, response.body).toBe(303)
  const signIn = new URL(response.headers.location as string, ISSUER)
  expect(signIn.pathname).toBe('/ui/sign-in')
  const page = await browser.get(signIn.pathname + signIn.search)
  response = await browser.post('/ui/sign-in', { ...hiddenFields(page.body), email, password: PASSWORD })
  // First party: no consent screen, straight back to the console.
  const back = new URL(response.headers.location as string, ISSUER)
  expect(`${back.origin}${back.pathname}`).toBe(CALLBACK)
  const tokens = await app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: CONSOLE_CLIENT_ID,
      code: back.searchParams.get('code') as string,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    }).toString(),
  })
  expect(tokens.statusCode, tokens.body).toBe(200)
  return tokens.json() as { access_token: string; refresh_token?: string; scope: string; id_token: string }
}

function call(app: FastifyInstance, token: string, method: 'GET' | 'POST', url: string) {
  return app.inject({ method, url: `/admin/v1${url}`, headers: { authorization: `Bearer ${token}` } })
}

for (const dialect of DIALECTS) {
  describe(`the console's built-in client on ${dialect}`, () => {
    it('signs a tessera-admin user in with PKCE; the token carries admin:read and admin:write and a refresh token', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      await userWith(server, 'root@example.com', 'write')
      const tokens = await signInToConsole(server.app, 'root@example.com')
      expect(tokens.scope.split(' ')).toEqual(expect.arrayContaining(['admin:read', 'admin:write', 'offline_access']))
      expect(tokens.refresh_token).toBeTruthy()
      expect(tokens.id_token).toBeTruthy()
      expect((await call(server.app, tokens.access_token, 'GET', '/users')).statusCode).toBe(200)
    })
  })
}

describe("the console's built-in client", () => {
  it('gives a tessera-admin-read user admin:read only: reads work, writes are refused', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await userWith(server, 'reader@example.com', 'read')
    const target = await userWith(server, 'ann@example.com', 'none')
    const tokens = await signInToConsole(server.app, 'reader@example.com')
    expect(tokens.scope.split(' ')).toContain('admin:read')
    expect(tokens.scope.split(' ')).not.toContain('admin:write')
    expect((await call(server.app, tokens.access_token, 'GET', '/users')).statusCode).toBe(200)
    expectProblem(await call(server.app, tokens.access_token, 'POST', `/users/${target}/disable`), 403, 'insufficient_scope')
  })

  it('gives a user with no admin role no admin permission at all', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await userWith(server, 'ann@example.com', 'none')
    const tokens = await signInToConsole(server.app, 'ann@example.com')
    expect(tokens.scope.split(' ')).not.toContain('admin:read')
    expectProblem(await call(server.app, tokens.access_token, 'GET', '/users'), 403, 'insufficient_scope')
  })

  it('records admin calls made with a user token as that user, not as the console client', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const admin = await userWith(server, 'root@example.com', 'write')
    const target = await userWith(server, 'ann@example.com', 'none')
    const tokens = await signInToConsole(server.app, 'root@example.com')
    expect((await call(server.app, tokens.access_token, 'POST', `/users/${target}/disable`)).statusCode).toBe(200)
    const audit = await call(server.app, tokens.access_token, 'GET', `/audit?action=user.disabled&userId=${target}`)
    expect(audit.json().entries).toHaveLength(1)
    expect(audit.json().entries[0].actor).toEqual({ kind: 'user', id: admin })
    expect(audit.body).not.toContain(CONSOLE_CLIENT_ID)
  })

  it('accepts no redirect URI but its own under the issuer', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const { challenge } = pkce()
    for (const redirect of ['https://evil.example/console/callback', `${ISSUER}/console/callback/`, `${ISSUER}/console/other`]) {
      const response = await new Browser(server.app).get(
        authorizeUrl({
          client_id: CONSOLE_CLIENT_ID,
          redirect_uri: redirect,
          response_type: 'code',
          scope: SCOPE,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
      )
      // RFC 6749 §4.1.2.1: an unregistered redirect URI gets an error page, never a redirect.
      expect(response.statusCode, redirect).toBe(400)
      expect(response.headers.location).toBeUndefined()
    }
  })

  it('cannot be edited, rotated or deleted through the admin API or the services', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const path = `/applications/${CONSOLE_CLIENT_ID}`
    expectProblem(await admin.call('PATCH', path, { payload: { redirectUris: ['https://evil.example/cb'] } }), 409, 'builtin_protected')
    expectProblem(await admin.call('PATCH', path, { payload: { name: 'mine now' } }), 409, 'builtin_protected')
    expectProblem(await admin.call('POST', `${path}/rotate-secret`), 409, 'builtin_protected')
    expectProblem(await admin.call('DELETE', path), 409, 'builtin_protected')
    const shown = await admin.call('GET', path)
    expect(shown.statusCode).toBe(200)
    expect(shown.json().application).toMatchObject({
      type: 'spa',
      redirectUris: [`${ISSUER}/console/callback`],
      apis: ['urn:tessera:admin'],
    })
    await expect(admin.server.tessera.services.applications.delete(CONSOLE_CLIENT_ID, { kind: 'cli' })).rejects.toMatchObject({
      code: 'builtin_protected',
    })
  })
})
