import { randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import * as oauth from 'oauth4webapi'
import { expect, type TestContext } from 'vitest'
import type { ApplicationType } from '../src/applications/application.js'
import type { DialectName } from '../src/store/open-database.js'
import { s256 } from '../src/tokens/pkce.js'
import { injectFetch } from './inject-fetch.js'
import { createTestServer, ORIGIN, PASSWORD, signUp, type TestServer, type TestServerOptions } from './test-server.js'

export const ISSUER = ORIGIN
export const REDIRECT = 'https://app.example.test/callback'
export const POST_LOGOUT = 'https://app.example.test/signed-out'
export const API = 'https://api.example.test'
const CLI = { kind: 'cli' } as const

/**
 * oauth4webapi pointed at the app in memory: Tessera's metadata as discovered through OpenID
 * discovery, and the options (the in-memory fetch) to hand every oauth4webapi request.
 */
export async function discover(server: TestServer) {
  const options = { [oauth.customFetch]: injectFetch(server.app) }
  const as = await oauth.processDiscoveryResponse(
    new URL(ISSUER),
    await oauth.discoveryRequest(new URL(ISSUER), { ...options, algorithm: 'oidc' }),
  )
  return { as, options }
}

/** A server of the test's own, closed when the test finishes. */
export async function serve(
  onTestFinished: TestContext['onTestFinished'],
  dialect: DialectName = 'sqlite',
  config?: TestServerOptions['config'],
): Promise<TestServer> {
  const server = await createTestServer({ dialect, ...(config ? { config } : {}) })
  onTestFinished(() => server.close())
  return server
}

export interface Client {
  id: string
  secret: string | null
}

export async function createClient(
  server: TestServer,
  input: {
    type?: ApplicationType
    firstParty?: boolean
    redirectUris?: string[]
    postLogoutRedirectUris?: string[]
    grants?: string[]
    apis?: string[]
    scopes?: string[]
    name?: string
  } = {},
): Promise<Client> {
  const { application, clientSecret } = await server.tessera.services.applications.create(
    {
      name: input.name ?? 'Example app',
      type: input.type ?? 'web',
      firstParty: input.firstParty ?? true,
      redirectUris: input.redirectUris ?? [REDIRECT],
      postLogoutRedirectUris: input.postLogoutRedirectUris ?? [POST_LOGOUT],
      ...(input.grants ? { grants: input.grants } : {}),
      ...(input.apis ? { apis: input.apis } : {}),
      ...(input.scopes ? { scopes: input.scopes } : {}),
    },
    CLI,
  )
  return { id: application.id, secret: clientSecret }
}

export async function createApi(server: TestServer) {
  return server.tessera.services.apis.create({ identifier: API, name: 'Example API', mode: 'jwt', scopes: ['read', 'write'] }, CLI)
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: s256(verifier) }
}

/** A cookie jar for one browser: keeps what Set-Cookie says, sends it back. */
export class Browser {
  readonly cookies = new Map<string, string>()
  constructor(readonly app: FastifyInstance) {}

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      if (
        cookie.value === '' ||
        (cookie.maxAge !== undefined && cookie.maxAge <= 0) ||
        (cookie.expires && cookie.expires.getTime() < Date.now())
      )
        this.cookies.delete(cookie.name)
      else this.cookies.set(cookie.name, cookie.value)
    }
    return response
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const cookie = this.header()
    return this.keep(await this.app.inject({ method: 'GET', url, headers: { ...headers, ...(cookie ? { cookie } : {}) } }))
  }

  /** A same-origin form post, as the hosted pages send it. */
  async post(
    url: string,
    form: Record<string, string>,
    headers: Record<string, string> = { origin: ORIGIN },
  ): Promise<LightMyRequestResponse> {
    const cookie = this.header()
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers, ...(cookie ? { cookie } : {}) },
        payload: new URLSearchParams(form).toString(),
      }),
    )
  }
}

/** The hidden fields of the first form of a page. */
export function hiddenFields(page: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const match of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1] as string] = (match[2] as string).replace(/&#(\d+);/g, (_m, code) => String.fromCharCode(Number(code)))
  }
  return fields
}

export function authorizeUrl(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.append(name, value)
  return `/oauth/authorize?${query.toString()}`
}

/** Standard parameters of a code + PKCE request for `client`. */
export function codeRequest(client: Client, challenge: string, extra: Record<string, string | undefined> = {}) {
  return {
    client_id: client.id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid email offline_access',
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  }
}

/** Where a 303 goes, as a URL against the issuer. */
export function location(response: LightMyRequestResponse): URL {
  expect(response.statusCode).toBe(303)
  return new URL(response.headers.location as string, ISSUER)
}

/** Fills the sign-in form the authorize redirect led to; returns the answer to the post. */
export async function signInThroughPage(browser: Browser, signInUrl: URL, email: string, password = PASSWORD) {
  const page = await browser.get(signInUrl.pathname + signInUrl.search)
  expect(page.statusCode).toBe(200)
  return browser.post('/ui/sign-in', { ...hiddenFields(page.body), email, password })
}

/** Runs authorize → sign-in page → (consent) → code for a first-party client; returns the code. */
export async function obtainCode(
  server: TestServer,
  browser: Browser,
  client: Client,
  challenge: string,
  options: { email?: string; extra?: Record<string, string | undefined> } = {},
): Promise<string> {
  const email = options.email ?? 'ann@example.com'
  let response = await browser.get(authorizeUrl(codeRequest(client, challenge, options.extra)))
  let next = location(response)
  if (next.pathname === '/ui/sign-in') {
    response = await signInThroughPage(browser, next, email)
    next = location(response)
  }
  if (next.pathname === '/ui/consent') {
    const page = await browser.get(next.pathname + next.search)
    response = await browser.post('/ui/consent', { ...hiddenFields(page.body), decision: 'allow' })
    next = location(response)
  }
  expect(`${next.origin}${next.pathname}`).toBe(REDIRECT)
  const code = next.searchParams.get('code')
  expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)
  void server
  return code as string
}

export async function createUser(server: TestServer, email = 'ann@example.com') {
  const { body } = await signUp(server.app, email, { transport: 'bearer' })
  return body.user?.id as string
}

/**
 * Ann, signed up, signs in through the hosted pages in a browser of her own: a code flow for a new
 * client (first party unless said otherwise) up to its code. The browser keeps her session cookie.
 */
export async function signedInBrowser(server: TestServer, options: { firstParty?: boolean } = {}) {
  await createUser(server)
  const client = await createClient(server, { firstParty: options.firstParty ?? true })
  const browser = new Browser(server.app)
  await obtainCode(server, browser, client, pkce().challenge)
  return { client, browser }
}

/** POST /oauth/token with a form, authenticating a confidential client with Basic. */
export async function token(app: FastifyInstance, client: Client, form: Record<string, string>): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
  const body = { ...form }
  if (client.secret) headers.authorization = `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`
  else body.client_id = client.id
  return app.inject({ method: 'POST', url: '/oauth/token', headers, payload: new URLSearchParams(body).toString() })
}

export function redeem(
  app: FastifyInstance,
  client: Client,
  code: string,
  verifier: string | undefined,
  extra: Record<string, string> = {},
) {
  return token(app, client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    ...(verifier !== undefined ? { code_verifier: verifier } : {}),
    ...extra,
  })
}
