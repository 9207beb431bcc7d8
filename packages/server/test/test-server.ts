import { randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { onTestFinished } from 'vitest'
import { createTessera, type Tessera } from '../src/app/tessera.js'
import type { Config } from '../src/config/config-schema.js'
import { type DeepPartial, loadConfig } from '../src/config/load-config.js'
import { createManualClock, type ManualClock } from '../src/shared/clock.js'
import type { DialectName } from '../src/store/open-database.js'
import type { PasswordEstimator } from '../src/users/password-estimate-pool.js'
import { sharedSourcePasswordEstimator } from './password-estimator.js'
import { createMigratedTestDatabase } from './test-database.js'

export interface TestServerOptions {
  dialect?: DialectName
  config?: DeepPartial<Config>
  /** Lines the server logs, for tests that inspect them. */
  logLines?: string[]
  /** The built admin console to serve (packages/console/dist by default). */
  consoleDir?: string
  /** Options added to the test database's URL, e.g. `{ preparedStatements: 'off' }` on PostgreSQL. */
  databaseUrlOptions?: Record<string, string>
  /** The password-strength estimator; by default the server's worker pool, its thread running from source. */
  passwordEstimator?: PasswordEstimator
}

export interface TestServer {
  tessera: Tessera
  app: FastifyInstance
  clock: ManualClock
  close(): Promise<void>
}

/**
 * Password hashing for tests that are not about it: argon2id still, at 1 MiB and one pass instead of
 * the OWASP minimum (19 MiB, two passes), which cost 10–20 ms a hash on an idle core and several
 * times that with every core busy, in every sign-up and sign-in of every test. The production
 * parameters are asserted where hashing is the subject: users/password-hasher.test.ts (the PHC
 * string), config/load-config.test.ts (the defaults and the minimums), and the CLI and end-to-end
 * tests, which run with the default configuration.
 */
export const TEST_ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 } as const

/**
 * The real Tessera, wired exactly as main.ts wires it (but for TEST_ARGON2), on a database of its
 * own and a manual clock; requests go through `app.inject` in memory.
 */
export async function createTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = await createMigratedTestDatabase(options.dialect ?? 'sqlite')
  const urlOptions = options.databaseUrlOptions ? new URLSearchParams(options.databaseUrlOptions).toString() : ''
  const clock = createManualClock()
  const loaded = loadConfig({
    env: {},
    overrides: {
      databaseUrl: urlOptions ? `${database.url}${database.url.includes('?') ? '&' : '?'}${urlOptions}` : database.url,
      issuer: 'https://id.example.test',
      masterKey: randomBytes(32).toString('base64url'),
      logLevel: options.logLines ? 'info' : 'silent',
      ...options.config,
      rateLimit: { credentialRequestsPerIp: 10_000, ...options.config?.rateLimit },
    },
  })
  // Set after validation: the schema refuses anything below the OWASP minimum, as it should for a
  // deployment. A test that names its own argon2 settings keeps them.
  const config: Config = options.config?.argon2 ? loaded : { ...loaded, argon2: TEST_ARGON2 }
  const lines = options.logLines
  const tessera = await createTessera(config, {
    clock,
    passwordEstimator: options.passwordEstimator ?? sharedSourcePasswordEstimator(),
    ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
    ...(lines ? { logStream: { write: (line: string) => void lines.push(line) } } : {}),
  })
  const app = await tessera.app()
  return {
    tessera,
    app,
    clock,
    async close() {
      await tessera.close()
      await database.drop()
    },
  }
}

/**
 * A test server closed when the running test finishes, for tests that run one at a time (a
 * concurrent test takes its context's onTestFinished instead: oauth-fixture.ts's `serve`).
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await createTestServer(options)
  onTestFinished(() => server.close())
  return server
}

export const PASSWORD = 'correct horse battery staple'

export const ORIGIN = 'https://id.example.test'

/** Signs up through HTTP; returns the response, the session token and the cookie header value. */
export async function signUp(app: FastifyInstance, email: string, extra: Record<string, unknown> = {}): Promise<CredentialsResponse> {
  const response = await app.inject({ method: 'POST', url: '/v1/sign-up', payload: { email, password: PASSWORD, ...extra } })
  return withCredentials(response)
}

export async function signIn(
  app: FastifyInstance,
  email: string,
  password = PASSWORD,
  extra: Record<string, unknown> = {},
): Promise<CredentialsResponse> {
  const response = await app.inject({ method: 'POST', url: '/v1/sign-in', payload: { email, password, ...extra } })
  return withCredentials(response)
}

/** A Set-Cookie as light-my-request parses it. */
export type ResponseCookie = LightMyRequestResponse['cookies'][number]

export interface CredentialsResponse {
  response: LightMyRequestResponse
  body: { session?: { token?: string; id?: string }; user?: { id: string } }
  cookie: ResponseCookie | undefined
  cookieHeader: string | undefined
  token: string | undefined
}

function withCredentials(response: LightMyRequestResponse): CredentialsResponse {
  const cookie = response.cookies.find((each) => each.name.endsWith('tessera_session'))
  const body = response.json() as { session?: { token?: string; id?: string }; user?: { id: string } }
  return {
    response,
    body,
    cookie,
    /** `Cookie:` header value that carries the session. */
    cookieHeader: cookie ? `${cookie.name}=${cookie.value}` : undefined,
    token: body.session?.token ?? cookie?.value,
  }
}
