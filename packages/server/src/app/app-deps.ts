import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Accounts } from '../accounts/accounts.js'
import type { AdminDeps } from '../admin/admin-routes.js'
import type { ApiService } from '../apis/api-service.js'
import type { ApplicationService } from '../applications/application-service.js'
import type { AuthService } from '../auth/auth-service.js'
import type { AuthorizeService } from '../authorize/authorize-service.js'
import type { DeviceAuthorizationService } from '../authorize/device-authorization-service.js'
import type { PushedRequestService } from '../authorize/pushed-request-service.js'
import type { Connections } from '../connections/connections.js'
import type { ConsoleAssets } from '../console/console-assets.js'
import type { CorsDeps } from '../cors/cors-deps.js'
import type { FlowService } from '../flows/flow-service.js'
import type { FlowStore } from '../flows/flow-store.js'
import type { LoginFlow } from '../flows/login-flow.js'
import type { RecoveryFlow } from '../flows/recovery-flow.js'
import type { SecondFactors } from '../flows/steps/step.js'
import type { ExpectedFailure } from '../http/error-handler.js'
import type { Locale } from '../i18n/catalogues.js'
import type { KeyService } from '../keys/key-service.js'
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js'
import type { MfaPolicy } from '../mfa/mfa-policy.js'
import type { MfaService } from '../mfa/mfa-service.js'
import type { WebAuthnService } from '../mfa/webauthn-service.js'
import type { AuthenticateClient } from '../oauth/client-authentication.js'
import type { LogoutService } from '../oauth/logout-service.js'
import type { RateLimitCounter } from '../rate-limit/rate-limit-counter.js'
import type { RevocationHub } from '../revocation/revocation-hub.js'
import type { RevocationLog } from '../revocation/revocation-log.js'
import type { SessionPolicy } from '../sessions/session.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
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
import type { Stores } from './stores.js'

/** Everything the HTTP application is assembled from: ready services, built by `wire-*.ts` (tessera.ts). */
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
