import cookie from '@fastify/cookie'
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, LogController } from 'fastify'
import { type Kysely, sql } from 'kysely'
import { accountHubRoutes } from '../accounts/account-hub-routes.js'
import { accountPageRoutes } from '../accounts/account-page-routes.js'
import { accountRoutes } from '../accounts/account-routes.js'
import type { Accounts } from '../accounts/accounts.js'
import { ADMIN_PREFIX, type AdminDeps, adminRoutes } from '../admin/admin-routes.js'
import type { ApiService } from '../apis/api-service.js'
import type { ApplicationService } from '../applications/application-service.js'
import type { AuthService } from '../auth/auth-service.js'
import type { AuthorizeService } from '../authorize/authorize-service.js'
import type { DeviceAuthorizationService } from '../authorize/device-authorization-service.js'
import type { PushedRequestService } from '../authorize/pushed-request-service.js'
import type { Connections } from '../connections/connections.js'
import type { ConsoleAssets } from '../console/console-assets.js'
import { consoleRoutes } from '../console/console-routes.js'
import type { CorsDeps } from '../cors/cors-deps.js'
import { installCors } from '../cors/cors-hooks.js'
import { accountConnectionsRoutes } from '../flows/account-connections-routes.js'
import { createAccountSignIn } from '../flows/account-sign-in.js'
import { authorizeRoutes } from '../flows/authorize-routes.js'
import { browserSession } from '../flows/browser-binding.js'
import { connectionJwksRoutes } from '../flows/connection-jwks-routes.js'
import { deviceRoutes } from '../flows/device-routes.js'
import { flowApiRoutes } from '../flows/flow-api-routes.js'
import type { FlowService } from '../flows/flow-service.js'
import type { FlowStore } from '../flows/flow-store.js'
import type { LoginFlow } from '../flows/login-flow.js'
import { loginRoutes } from '../flows/login-routes.js'
import { logoutRoutes } from '../flows/logout-routes.js'
import type { RecoveryFlow } from '../flows/recovery-flow.js'
import { recoveryRoutes } from '../flows/recovery-routes.js'
import { signInRoutes } from '../flows/sign-in-routes.js'
import type { SecondFactors } from '../flows/steps/step.js'
import { createUpstreamApi } from '../flows/upstream-api.js'
import { upstreamRoutes } from '../flows/upstream-routes.js'
import { installCsrfPolicy } from '../http/csrf.js'
import { acceptEmptyBodies } from '../http/empty-body.js'
import { type ExpectedFailure, installErrorHandling } from '../http/error-handler.js'
import { healthRoutes } from '../http/health-routes.js'
import { lazyRequestLogger } from '../http/lazy-request-logger.js'
import { type LazySchemaCompilers, lazySchemaCompilers } from '../http/lazy-schema-compilers.js'
import { sendProblem } from '../http/problem.js'
import { REQUEST_ID_HEADER, requestIdOf } from '../http/request-id.js'
import type { Locale } from '../i18n/catalogues.js'
import { jwksRoutes } from '../keys/jwks-routes.js'
import type { KeyService } from '../keys/key-service.js'
import { installHttpMetrics } from '../metrics/http-metrics.js'
import { metricsRoutes } from '../metrics/metrics-routes.js'
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js'
import type { MfaPolicy } from '../mfa/mfa-policy.js'
import { mfaRoutes } from '../mfa/mfa-routes.js'
import type { MfaService } from '../mfa/mfa-service.js'
import { securityPageRoutes } from '../mfa/security-page-routes.js'
import type { WebAuthnService } from '../mfa/webauthn-service.js'
import type { AuthenticateClient } from '../oauth/client-authentication.js'
import { deviceAuthorizationRoutes } from '../oauth/device-authorization-routes.js'
import { discoveryRoutes } from '../oauth/discovery-routes.js'
import type { LogoutService } from '../oauth/logout-service.js'
import type { OAuthForm } from '../oauth/oauth-form.js'
import { parRoutes } from '../oauth/par-routes.js'
import { tokenRoutes } from '../oauth/token-routes.js'
import { userinfoRoutes } from '../oauth/userinfo-routes.js'
import type { PerIpLimit, RateLimitCounter } from '../rate-limit/rate-limit-counter.js'
import { sharedRateLimitStore } from '../rate-limit/shared-rate-limit-store.js'
import { revocationFeedRoutes } from '../revocation/revocation-feed-routes.js'
import type { RevocationHub } from '../revocation/revocation-hub.js'
import type { RevocationLog } from '../revocation/revocation-log.js'
import { createAuthenticate, type RequestAuth } from '../sessions/authenticate-request.js'
import type { SessionPolicy } from '../sessions/session.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import { sessionRoutes } from '../sessions/session-routes.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import type { RandomSource } from '../shared/random.js'
import type { Database } from '../store/database.js'
import type { Transact } from '../store/transaction.js'
import type { AccessTokenVerifier } from '../tokens/access-token-verifier.js'
import type { DpopCheck } from '../tokens/dpop/dpop-check.js'
import type { DpopNonces } from '../tokens/dpop/dpop-nonce.js'
import type { TokenGrants } from '../tokens/grants/token-grants.js'
import type { IntrospectionService } from '../tokens/introspection-service.js'
import type { TokenRevocationService } from '../tokens/token-revocation-service.js'
import type { Tracing } from '../tracing/start-tracing.js'
import { installTracing } from '../tracing/tracing-hooks.js'
import { pageTranslator } from '../ui/page-translator.js'
import { loadScriptAssets } from '../ui/script-assets.js'
import { scriptRoutes } from '../ui/script-routes.js'
import { CSRF_EXEMPTIONS } from './csrf-exemptions.js'
import type { Stores } from './stores.js'

export interface AppDeps {
  /** `defaultLocale`: the hosted pages' language when the request names none Tessera speaks. */
  defaultLocale?: Locale
  /** How long a reset link lives, in minutes, for the hosted pages. */
  resetLinkMinutes?: number
  /** `signUp.requireVerifiedEmail` off: the hosted sign-up offers to verify the address in the flow. */
  offerEmailVerification?: boolean
  /** The key of `/ui/account`'s per-session CSRF tokens. */
  accountCsrfKey: Buffer
  logger: FastifyBaseLogger
  /** The built admin console, served at /console; null when it is not built. */
  console: ConsoleAssets | null
  db: Kysely<Database>
  /** RFC 9449 DPoP: the proof check, server nonces, and the endpoints proofs name. */
  dpop: { check: DpopCheck; nonces: DpopNonces | null; clock: Clock; tokenEndpoint: string; userinfoEndpoint: string }
  issuer: string
  auth: AuthService
  sessions: SessionService
  keys: KeyService
  tokens: TokenGrants
  introspection: IntrospectionService
  tokenRevocation: TokenRevocationService
  authenticateClient: AuthenticateClient
  jwksMaxAge: number
  revocationHub: RevocationHub
  revocationLog: RevocationLog
  clock: Clock
  feedHeartbeatIntervalMs: number
  cookie: CookieSettings
  policy: SessionPolicy
  trustedOrigins: ReadonlySet<string>
  trustProxy: boolean
  bodyLimit: number
  rateLimit: { max: number; timeWindow: number }
  /** Where the per-IP limiters count, shared by every instance (Redis, or the database). */
  rateLimitCounter: RateLimitCounter
  /** This instance's metrics (GET /metrics, and the per-route request series). */
  metrics: PrometheusMetrics
  /** True once shutdown began: /readyz answers 503 while the server still serves (`http.shutdownDelay`). */
  draining?: () => boolean
  /** OpenTelemetry spans per request, when `tracing.endpoint` is set. */
  tracing?: Tracing | undefined
  /** Email verification, password reset, change of password and address (docs/email.md). */
  accounts: Accounts
  /** Store outages and rate-limited requests, counted per burst rather than logged one by one. */
  expectedFailure: (code: ExpectedFailure, cause: unknown) => void
  /** Which web origins may call which OAuth endpoints (docs/connect-an-app.md). */
  cors: CorsDeps
  /** The admin API's services (its token check is introspection's). */
  admin: Omit<AdminDeps, 'clock'>
  /** The device authorization grant (RFC 8628, docs/oidc.md): its service, and the verification page's settings. */
  device: {
    service: DeviceAuthorizationService
    /** The key of the verification page's CSRF tokens. */
    csrfKey: Buffer
    secondFactorRequired: (clientId: string) => Promise<boolean>
    /** `signUp.requireVerifiedEmail`: an unverified user's session approves no device. */
    verifiedEmailRequired: boolean
    /** User-code entries allowed per session and per IP in each window (RFC 8628 §5.1). */
    attempts: { perSession: number; perIp: number; windowMs: number }
  }
  /** A user's own second factors (docs/mfa.md). */
  mfa: { mfa: MfaService; webauthn: WebAuthnService; policy: MfaPolicy }
  /** Upstream identity providers (docs/connections.md), and the key of the account page's CSRF tokens. */
  connections: Connections & { csrfKey: Buffer }
  /** The browser flow (docs/oidc.md). */
  oidc: {
    authorize: AuthorizeService
    applications: ApplicationService
    apis: ApiService
    verifyAccessToken: AccessTokenVerifier
    stores: Pick<Stores, 'users'>
    random: RandomSource
    logout: LogoutService
    userinfoAudience: string
    /** The self-service flows the hosted pages and the /v1 sign-in API drive (flows/). */
    flows: FlowService
    login: LoginFlow
    /** Forgotten passwords as a flow (issue 12). */
    recovery: RecoveryFlow
    transact: Transact<{ flows: FlowStore }>
    secondFactors: Pick<SecondFactors, 'available'> & {
      enrolment: (userId: string, authTime: number) => Promise<{ secret: string; uri: string }>
    }
    /** Pushed authorization requests (RFC 9126, docs/oidc.md). */
    pushedRequests: PushedRequestService
  }
}

const NO_FORM: OAuthForm = { get: () => undefined, all: () => [], has: () => false }

const schemaCompilersOf = new WeakMap<object, LazySchemaCompilers>()

/** Compiles every route schema an app has not compiled yet (they compile on first use) and says how many; for tests. */
export function compileAllSchemas(app: FastifyInstance): number {
  const compilers = schemaCompilersOf.get(app)
  if (!compilers) throw new Error('not an app made by createApp')
  return compilers.compileAll()
}

/** Assembles the HTTP application from ready services. It opens nothing and reads no environment. */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const schemaCompilers = lazySchemaCompilers()
  const app = Fastify({
    loggerInstance: deps.logger,
    trustProxy: deps.trustProxy,
    bodyLimit: deps.bodyLimit,
    // The caller's X-Request-Id when well-formed, else a fresh one; logged as requestId on every line.
    genReqId: requestIdOf,
    requestIdHeader: false,
    // The per-request child logger is made when the request first logs a line (http/lazy-request-logger.ts).
    childLoggerFactory: lazyRequestLogger,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // Safe parsing: a body with __proto__ or constructor.prototype is refused, not merged.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Router errors (an over-long path parameter, a badly encoded URL) come before any route:
    // they get a problem document too, never Fastify's own body echoing the URL.
    frameworkErrors: (_error, _request, reply) => {
      sendProblem(reply, new TesseraError('invalid_request', { detail: 'The URL is malformed or too long.' }))
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    // Fastify's compilers, each route's schemas compiled on its first request (start-up time).
    schemaController: {
      compilersFactory: { buildValidator: schemaCompilers.buildValidator, buildSerializer: schemaCompilers.buildSerializer },
    },
  }).withTypeProvider<TypeBoxTypeProvider>()
  schemaCompilersOf.set(app, schemaCompilers)

  // JSON only: Fastify also parses text/plain by default, which a cross-site form can send
  // without a preflight; such a body gets 415 like any other type.
  app.removeContentTypeParser('text/plain')
  acceptEmptyBodies(app)
  installErrorHandling(app, { expectedFailure: deps.expectedFailure, observe: deps.metrics.httpError })
  installHttpMetrics(app, deps.metrics)
  if (deps.tracing) installTracing(app, deps.tracing)
  installCsrfPolicy(app, { trustedOrigins: deps.trustedOrigins, sessionCookie: deps.cookie.name, exemptions: CSRF_EXEMPTIONS })
  installCors(app, deps.cors)
  await app.register(cookie)
  await app.register(rateLimit, {
    global: false,
    // Counted where every instance counts, so N instances allow the limit once (issue 18 part 2).
    store: sharedRateLimitStore(deps.rateLimitCounter, deps.clock) as unknown as FastifyRateLimitStoreCtor,
    errorResponseBuilder: (_request, context) =>
      new TesseraError('rate_limited', { retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)) }),
  })
  /** Each limiter's settings under its own name: a budget of its own, the same on every instance. */
  const perIp = (limiter: string): PerIpLimit => ({ ...deps.rateLimit, limiter })
  app.decorateRequest('auth', null)
  // Callback-style, not async: it runs on every response, and an async hook costs a promise each.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header(REQUEST_ID_HEADER, request.id)
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'no-referrer')
    done(null, payload)
  })

  // Issue 12 part 6: every hosted page speaks ui_locales, then Accept-Language, then the default.
  const translate = pageTranslator(deps.defaultLocale ?? 'en')
  const authenticate = createAuthenticate({ sessions: deps.sessions, cookie: deps.cookie })
  await app.register(healthRoutes(() => sql`select 1`.execute(deps.db), deps.draining))
  await app.register(metricsRoutes({ activeAccessToken: deps.admin.activeAccessToken, metrics: deps.metrics }))
  // Issue 15 part 2: upstream sign-ins driven by first-party apps over the flow API.
  const upstreamApi = createUpstreamApi({
    flows: deps.oidc.flows,
    connections: deps.connections.service,
    client: deps.connections.client,
    findApplication: (clientId) => deps.oidc.applications.find(clientId),
    recordFailure: deps.connections.recordFailure,
    random: deps.oidc.random,
    clock: deps.clock,
  })
  await app.register(
    flowApiRoutes({
      upstream: upstreamApi,
      flows: deps.oidc.flows,
      login: deps.oidc.login,
      recovery: deps.oidc.recovery,
      random: deps.oidc.random,
      cookie: deps.cookie,
      policy: deps.policy,
      rateLimit: perIp('flow-api'),
      passkeyOptions: () => deps.mfa.webauthn.beginAuthentication({ userId: null }),
    }),
  )
  await app.register(
    signInRoutes({
      flows: deps.oidc.flows,
      login: deps.oidc.login,
      random: deps.oidc.random,
      cookie: deps.cookie,
      policy: deps.policy,
      secondFactors: deps.oidc.secondFactors,
      webauthnOptions: async (userId) => deps.mfa.webauthn.beginAuthentication({ userId }),
      enrolment: deps.oidc.secondFactors.enrolment,
      clock: deps.clock,
      rateLimit: perIp('credentials'),
    }),
  )
  await app.register(accountRoutes({ accounts: deps.accounts, authenticate, rateLimit: perIp('account-requests') }))
  await app.register(accountPageRoutes({ accounts: deps.accounts, translate }))
  await app.register(
    recoveryRoutes({
      flows: deps.oidc.flows,
      recovery: deps.oidc.recovery,
      cookie: deps.cookie,
      random: deps.oidc.random,
      rateLimit: perIp('hosted-pages'),
      translate,
      ...(deps.resetLinkMinutes !== undefined ? { resetLinkMinutes: deps.resetLinkMinutes } : {}),
    }),
  )
  await app.register(
    accountHubRoutes({
      accounts: deps.accounts,
      sessions: deps.sessions,
      cookie: deps.cookie,
      csrfKey: deps.accountCsrfKey,
      rateLimit: perIp('account-pages'),
      translate,
      signIn: createAccountSignIn({ flows: deps.oidc.flows, cookie: deps.cookie, random: deps.oidc.random }),
    }),
  )
  await app.register(sessionRoutes({ sessions: deps.sessions, authenticate, cookie: deps.cookie, policy: deps.policy }))
  await app.register(mfaRoutes({ ...deps.mfa, authenticate, caller: (request) => signedIn(request) }))
  await app.register(scriptRoutes(loadScriptAssets()))
  await app.register(
    securityPageRoutes({
      mfa: deps.mfa.mfa,
      policy: deps.mfa.policy,
      clock: deps.clock,
      caller: (request) => browserSession(request, deps.cookie, deps.sessions),
      signIn: createAccountSignIn({ flows: deps.oidc.flows, cookie: deps.cookie, random: deps.oidc.random }),
      rateLimit: perIp('hosted-pages'),
      translate,
    }),
  )
  await app.register(discoveryRoutes(deps.issuer))
  await app.register(
    revocationFeedRoutes({
      log: deps.revocationLog,
      hub: deps.revocationHub,
      clock: deps.clock,
      // The feed is a GET: credentials come from the Authorization header only, never a form.
      authenticateClient: (request) => deps.authenticateClient(request, NO_FORM, { allowPublic: false }),
      heartbeatIntervalMs: deps.feedHeartbeatIntervalMs,
    }),
  )
  await app.register(jwksRoutes(deps.keys, deps.jwksMaxAge))
  await app.register(
    tokenRoutes({
      grants: deps.tokens,
      introspection: deps.introspection,
      revocation: deps.tokenRevocation,
      authenticateClient: deps.authenticateClient,
      metrics: deps.metrics.recorder,
      dpop: deps.dpop,
    }),
  )
  await app.register(adminRoutes({ ...deps.admin, clock: deps.clock }), { prefix: ADMIN_PREFIX })
  const { oidc } = deps
  await app.register(
    authorizeRoutes({
      flows: oidc.flows,
      login: oidc.login,
      applications: oidc.applications,
      apis: oidc.apis,
      sessions: deps.sessions,
      cookie: deps.cookie,
      random: oidc.random,
      rateLimit: perIp('authorize'),
      errorUrl: oidc.authorize.errorUrl,
      pushedRequests: oidc.pushedRequests,
      translate,
    }),
  )
  await app.register(
    parRoutes({
      pushedRequests: oidc.pushedRequests,
      authenticateClient: deps.authenticateClient,
      rateLimit: perIp('par'),
      dpop: { ...deps.dpop, parEndpoint: `${deps.issuer.replace(/\/$/, '')}/oauth/par` },
    }),
  )
  await app.register(
    deviceAuthorizationRoutes({
      deviceAuthorizations: deps.device.service,
      authenticateClient: deps.authenticateClient,
      rateLimit: perIp('device-authorization'),
    }),
  )
  await app.register(
    deviceRoutes({
      devices: deps.device.service,
      sessions: deps.sessions,
      cookie: deps.cookie,
      csrfKey: deps.device.csrfKey,
      clock: deps.clock,
      translate,
      signIn: createAccountSignIn({ flows: oidc.flows, cookie: deps.cookie, random: oidc.random }),
      secondFactorRequired: deps.device.secondFactorRequired,
      verifiedEmailRequired: deps.device.verifiedEmailRequired,
      rateLimit: perIp('hosted-pages'),
      // Counted where every instance counts, like the per-IP limits.
      attempts: { ...deps.device.attempts, count: (key, windowMs, now) => deps.rateLimitCounter.hit(key, windowMs, now) },
      onEntry: (outcome) => deps.metrics.deviceCodeEntry(outcome),
    }),
  )
  await app.register(
    loginRoutes({
      flows: oidc.flows,
      login: oidc.login,
      applications: oidc.applications,
      sessions: deps.sessions,
      cookie: deps.cookie,
      rateLimit: perIp('hosted-pages'),
      secondFactors: oidc.secondFactors,
      translate,
      enrolment: oidc.secondFactors.enrolment,
      clock: deps.clock,
      passkeyOptions: (userId) => deps.mfa.webauthn.beginAuthentication({ userId }),
      offerVerification: deps.offerEmailVerification === true,
      connectionsFor: deps.connections.offeredTo,
    }),
  )
  await app.register(
    upstreamRoutes({
      api: upstreamApi,
      translate,
      flows: oidc.flows,
      login: oidc.login,
      connections: deps.connections.service,
      client: deps.connections.client,
      recordFailure: deps.connections.recordFailure,
      linkFromAccount: deps.connections.linkFromAccount,
      sessions: deps.sessions,
      cookie: deps.cookie,
      random: oidc.random,
      clock: deps.clock,
      rateLimit: perIp('upstream'),
    }),
  )
  await app.register(connectionJwksRoutes({ connections: deps.connections.service }))
  await app.register(
    accountConnectionsRoutes({
      translate,
      flows: oidc.flows,
      connections: deps.connections.service,
      client: deps.connections.client,
      identities: {
        listForUser: deps.connections.federation.listForUser,
        unlink: deps.connections.federation.unlink,
        hasPassword: deps.connections.hasPassword,
      },
      recordFailure: deps.connections.recordFailure,
      sessions: deps.sessions,
      cookie: deps.cookie,
      random: oidc.random,
      clock: deps.clock,
      csrfKey: deps.connections.csrfKey,
      rateLimit: perIp('account-connections'),
    }),
  )
  await app.register(
    userinfoRoutes({
      verifyAccessToken: oidc.verifyAccessToken,
      introspection: deps.introspection,
      applications: oidc.applications,
      stores: oidc.stores,
      audience: oidc.userinfoAudience,
      dpop: deps.dpop,
    }),
  )
  await app.register(consoleRoutes({ assets: deps.console }))
  await app.register(
    logoutRoutes({
      logout: oidc.logout,
      flows: oidc.flows,
      auth: deps.auth,
      sessions: deps.sessions,
      cookie: deps.cookie,
      random: oidc.random,
      clock: deps.clock,
      transact: oidc.transact,
      rateLimit: perIp('logout'),
      translate,
    }),
  )
  return app
}

/** The caller that `authenticate` resolved; routes behind it always have one. */
function signedIn(request: FastifyRequest): RequestAuth {
  if (!request.auth) throw new TesseraError('unauthenticated')
  return request.auth
}
