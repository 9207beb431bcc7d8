import { createHash } from 'node:crypto'
import type { TestContext } from 'vitest'
import { expect } from 'vitest'
import type { Actor } from '../src/events/event-outbox.js'
import type { RoleSubject } from '../src/rbac/role.js'
import type { DialectName } from '../src/store/open-database.js'
import { createTestServer, signUp, type TestServer, type TestServerOptions } from './test-server.js'

/**
 * The OAuth set-up the token, introspection and feed tests share: APIs, clients, signed-in users,
 * and the roles that grant them permissions (RBAC: a token carries only what roles grant).
 */

export const ISSUER = 'https://id.example.test'
export const API = 'https://api.example.test'
export const OTHER_API = 'https://other.example.test'
export const SESSION_API = 'https://session-api.example.test'
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const SESSION_TOKEN_TYPE = 'urn:tessera:token-type:session'
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
export const CLI: Actor = { kind: 'cli' }

export interface Client {
  id: string
  secret: string | null
}

export interface User {
  id: string
  sessionId: string
  token: string
}

export type ApplicationKind = 'web' | 'spa' | 'native' | 'm2m' | 'resource-server'

export type Params = Record<string, string> | [string, string][]

/**
 * A server of the test's own (its own database and clock), closed when the test finishes. Tests
 * share nothing, so suites run their tests concurrently; hence the context's onTestFinished.
 */
export async function serve(
  onTestFinished: TestContext['onTestFinished'],
  dialect: DialectName,
  config?: TestServerOptions['config'],
): Promise<TestServer> {
  const server = await createTestServer({ dialect, ...(config ? { config } : {}) })
  onTestFinished(() => server.close())
  return server
}

/** What the set-up helpers need: a test server, or any Tessera (e.g. one of two instances). */
export type HasTessera = Pick<TestServer, 'tessera'>

export async function createApi(
  server: HasTessera,
  identifier = API,
  mode: 'jwt' | 'hybrid' | 'session' = 'jwt',
  scopes: string[] = ['read', 'write', 'admin'],
) {
  return server.tessera.services.apis.create({ identifier, name: 'Example API', mode, scopes }, CLI)
}

/** The name of a role granting every permission of one API, created on first use. */
export async function fullAccessRole(server: HasTessera, identifier: string): Promise<string> {
  const { apis, roles } = server.tessera.services
  const name = `full-${createHash('sha256').update(identifier).digest('hex').slice(0, 12)}`
  const api = await apis.get(identifier)
  const existing = (await roles.list()).find((role) => role.name === name)
  if (!existing) await roles.create({ name, description: `everything on ${identifier}` }, CLI)
  if (api.scopes.length > 0) await roles.addPermissions(name, identifier, api.scopes, CLI)
  return name
}

/** Gives a user or an M2M application every permission of every API registered so far. */
export async function grantEverything(server: HasTessera, subject: RoleSubject): Promise<void> {
  const { apis, roles } = server.tessera.services
  for (const api of await apis.list()) {
    const role = await fullAccessRole(server, api.identifier)
    if (subject.kind === 'user') await roles.assignToUser(role, subject.id, CLI)
    else await roles.assignToApplication(role, subject.id, CLI)
  }
}

const DEFAULT_GRANTS: Record<ApplicationKind, string[]> = {
  web: ['token_exchange', 'refresh_token'],
  spa: ['token_exchange', 'refresh_token'],
  native: ['token_exchange', 'refresh_token'],
  m2m: ['client_credentials'],
  'resource-server': [],
}

/** Registers a client; an M2M client also gets every permission of every API so far (`roles: false` to skip). */
export async function createClient(
  server: HasTessera,
  input: { type?: ApplicationKind; grants?: string[]; apis?: string[]; scopes?: string[]; roles?: boolean } = {},
): Promise<Client> {
  const type = input.type ?? 'web'
  const { application, clientSecret } = await server.tessera.services.applications.create(
    {
      name: 'Example app',
      type,
      grants: input.grants ?? DEFAULT_GRANTS[type],
      apis: input.apis ?? [API],
      scopes: input.scopes ?? ['read', 'write'],
    },
    CLI,
  )
  if (type === 'm2m' && input.roles !== false) await grantEverything(server, { kind: 'application', id: application.id })
  return { id: application.id, secret: clientSecret }
}

/** Signs a user up (bearer transport); they get every permission of every API so far (`roles: false` to skip). */
export async function createUser(server: TestServer, email = 'ann@example.com', options: { roles?: boolean } = {}): Promise<User> {
  const { token, body } = await signUp(server.app, email, { transport: 'bearer' })
  const user = { id: body.user?.id as string, sessionId: body.session?.id as string, token: token as string }
  if (options.roles !== false) await grantEverything(server, { kind: 'user', id: user.id })
  return user
}

export function basic(client: Client): string {
  return `Basic ${Buffer.from(`${client.id}:${client.secret ?? ''}`).toString('base64')}`
}

/** POSTs a form; a confidential client authenticates with Basic, a public one names itself in the body. */
export function post(server: TestServer, url: string, params: Params, client: Client | null, headers: Record<string, string> = {}) {
  const body = new URLSearchParams(params)
  const auth: Record<string, string> = {}
  if (client?.secret) auth.authorization = basic(client)
  else if (client) body.set('client_id', client.id)
  return server.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth, ...headers },
    payload: body.toString(),
  })
}

export function exchange(server: TestServer, client: Client, sessionToken: string, extra: Record<string, string> = {}) {
  return post(
    server,
    '/oauth/token',
    { grant_type: TOKEN_EXCHANGE, subject_token: sessionToken, subject_token_type: SESSION_TOKEN_TYPE, resource: API, ...extra },
    client,
  )
}

export function refresh(server: TestServer, client: Client, refreshToken: string, extra: Record<string, string> = {}) {
  return post(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, client)
}

export function clientCredentials(server: TestServer, client: Client, extra: Record<string, string> = {}) {
  return post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API, ...extra }, client)
}

export function introspect(server: TestServer, client: Client | null, token: string) {
  return post(server, '/oauth/introspect', { token }, client)
}

export interface Tokens {
  access_token: string
  refresh_token: string
  scope: string
  expires_in: number
}

/** Exchanges the user's session and returns the token response, asserting success. */
export async function tokensFor(server: TestServer, client: Client, user: User, extra: Record<string, string> = {}): Promise<Tokens> {
  const response = await exchange(server, client, user.token, extra)
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as Tokens
}

/** A session-mode API (opaque tokens), a web client of it, its resource server, and a signed-in user holding every permission. */
export async function sessionApiWorld(server: TestServer) {
  await server.tessera.services.apis.create({ identifier: SESSION_API, name: 'Session API', mode: 'session', scopes: ['read'] }, CLI)
  const user = await createUser(server)
  await grantEverything(server, { kind: 'user', id: user.id })
  return {
    user,
    client: await createClient(server, { apis: [SESSION_API], scopes: ['read'] }),
    resourceServer: await createClient(server, { type: 'resource-server', apis: [SESSION_API], scopes: [] }),
  }
}
