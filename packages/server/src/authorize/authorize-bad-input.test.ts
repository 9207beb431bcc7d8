import { describe, expect, it } from 'vitest'
import {
  authorizeUrl,
  Browser,
  codeRequest,
  createApi,
  createClient,
  ISSUER,
  location,
  pkce,
  REDIRECT,
  serve,
} from '../../test/oidc-fixture.js'

/** The error a redirect carries back to the client. */
function redirectedError(response: { statusCode: number; headers: Record<string, unknown> }) {
  const url = location(response as Parameters<typeof location>[0])
  expect(`${url.origin}${url.pathname}`).toBe(REDIRECT)
  expect(url.searchParams.get('iss')).toBe(ISSUER)
  return { error: url.searchParams.get('error'), state: url.searchParams.get('state'), code: url.searchParams.get('code') }
}

describe('authorization requests that must not redirect', () => {
  it.for([
    ['a trailing slash', `${REDIRECT}/`],
    ['an extra query', `${REDIRECT}?x=1`],
    ['a fragment', `${REDIRECT}#frag`],
    ['a change of case', 'https://APP.example.test/callback'],
    ['another port', 'https://app.example.test:8443/callback'],
    ['http instead of https', 'http://app.example.test/callback'],
    ['userinfo@host', 'https://app.example.test@evil.example/callback'],
    ['path traversal', 'https://app.example.test/callback/../evil'],
    ['javascript:', 'javascript:alert(document.domain)'],
  ] as const)('shows an error page, never a redirect, for a redirect_uri with %s', async ([, redirectUri], { onTestFinished }) => {
    const server = await serve(onTestFinished)
    const client = await createClient(server)
    const response = await new Browser(server.app).get(authorizeUrl(codeRequest(client, pkce().challenge, { redirect_uri: redirectUri })))
    expect(response.statusCode).toBe(400)
    expect(response.headers.location).toBeUndefined()
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    expect(response.headers['content-security-policy']).toContain("default-src 'none'")
    expect(response.body).toContain('has not registered')
    // Nothing from the request is echoed into the page.
    expect(response.body).not.toContain('evil')
    expect(response.body).not.toContain('javascript')
  })

  it('shows an error page for an unknown client, a missing redirect_uri and a repeated client_id', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const client = await createClient(server)
    const browser = new Browser(server.app)
    const challenge = pkce().challenge
    for (const url of [
      authorizeUrl(codeRequest({ id: 'no-such-client', secret: null }, challenge)),
      authorizeUrl(codeRequest(client, challenge, { redirect_uri: undefined })),
      `${authorizeUrl(codeRequest(client, challenge))}&client_id=${client.id}`,
      '/oauth/authorize',
    ]) {
      const response = await browser.get(url)
      expect(response.statusCode).toBe(400)
      expect(response.headers.location).toBeUndefined()
    }
  })
})

describe('authorization request errors sent back to the client', () => {
  it.for([
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['response_type=id_token token', { response_type: 'id_token token' }, 'unsupported_response_type'],
    ['response_type=code id_token', { response_type: 'code id_token' }, 'unsupported_response_type'],
    ['no response_type', { response_type: undefined }, 'invalid_request'],
    ['no PKCE challenge', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
    ['PKCE plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['a challenge without a method (plain by default)', { code_challenge_method: undefined }, 'invalid_request'],
    ['a malformed challenge', { code_challenge: 'short' }, 'invalid_request'],
    ['a malformed scope', { scope: 'openid  email' }, 'invalid_scope'],
    ['an API scope without a resource', { scope: 'openid read' }, 'invalid_scope'],
    ['an unknown resource', { resource: 'https://unknown.example.test' }, 'invalid_target'],
    ['an unknown prompt', { prompt: 'select_account' }, 'invalid_request'],
    ['prompt=none with another value', { prompt: 'none login' }, 'invalid_request'],
    ['a malformed max_age', { max_age: '-1' }, 'invalid_request'],
    ['a request object', { request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
    ['response_mode=fragment', { response_mode: 'fragment' }, 'invalid_request'],
  ] as [string, Record<string, string | undefined>, string][])('%s', async ([, extra, expected], { onTestFinished }) => {
    const server = await serve(onTestFinished)
    const client = await createClient(server)
    const response = await new Browser(server.app).get(authorizeUrl(codeRequest(client, pkce().challenge, extra)))
    const error = redirectedError(response)
    expect(error.error).toBe(expected)
    expect(error.state).toBe('state-123')
    expect(error.code).toBeNull()
  })

  it('refuses API scopes the client is not allowed on its API (invalid_scope)', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createApi(server)
    const client = await createClient(server, { apis: ['https://api.example.test'], scopes: ['read'] })
    const browser = new Browser(server.app)
    const extra = { resource: 'https://api.example.test', scope: 'openid write' }
    expect(redirectedError(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, extra)))).error).toBe('invalid_scope')
  })

  it('refuses a client without the authorization_code grant (unauthorized_client)', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const client = await createClient(server, { grants: ['token_exchange'] })
    const response = await new Browser(server.app).get(authorizeUrl(codeRequest(client, pkce().challenge)))
    expect(redirectedError(response).error).toBe('unauthorized_client')
  })

  it('answers prompt=none without a session with login_required', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const client = await createClient(server)
    const response = await new Browser(server.app).get(authorizeUrl(codeRequest(client, pkce().challenge, { prompt: 'none' })))
    expect(redirectedError(response).error).toBe('login_required')
  })
})
