import type { LightMyRequestResponse } from 'fastify'
import { expect, type TestContext } from 'vitest'
import type { DialectName } from '../src/store/open-database.js'
import { createTestServer, type TestServer, type TestServerOptions } from './test-server.js'

export const ADMIN_AUDIENCE = 'urn:tessera:admin'

export interface AdminHarness {
  server: TestServer
  clientId: string
  clientSecret: string
  /** A token with admin:read and admin:write. */
  token: string
  /** Asks for an admin token with exactly this scope (space-separated). */
  tokenWith(scope: string): Promise<string>
  /** One admin API request; `token: null` sends no Authorization header. */
  call(
    method: Method,
    url: string,
    options?: { token?: string | null; payload?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

/** A test server of the test's own, bootstrapped like an operator would, with an admin token in hand. */
export async function adminHarness(
  onTestFinished: TestContext['onTestFinished'],
  dialect: DialectName = 'sqlite',
  config?: TestServerOptions['config'],
): Promise<AdminHarness> {
  const server = await createTestServer({ dialect, ...(config ? { config } : {}) })
  onTestFinished(() => server.close())
  const { clientId, clientSecret } = await server.tessera.services.adminBootstrap.bootstrap({ kind: 'cli' })
  const tokenWith = (scope: string) => clientCredentials(server, clientId, clientSecret, ADMIN_AUDIENCE, scope)
  const token = await tokenWith('admin:read admin:write')
  return {
    server,
    clientId,
    clientSecret,
    token,
    tokenWith,
    call(method, url, options = {}) {
      const bearer = options.token === undefined ? token : options.token
      return server.app.inject({
        method,
        url: `/admin/v1${url}`,
        headers: { ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), ...options.headers },
        ...(options.payload !== undefined ? { payload: options.payload as string } : {}),
      })
    },
  }
}

/** RFC 6749 §4.4 at /oauth/token, client_secret_basic; fails the test unless a token comes back. */
export async function clientCredentials(
  server: TestServer,
  clientId: string,
  secret: string,
  resource: string,
  scope?: string,
): Promise<string> {
  const response = await server.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    },
    payload: new URLSearchParams({ grant_type: 'client_credentials', resource, ...(scope ? { scope } : {}) }).toString(),
  })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().access_token as string
}

/** A problem document with this status and code. */
export function expectProblem(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(response.json().code).toBe(code)
}
