import { hostname } from 'node:os'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Accounts } from '../accounts/accounts.js'
import { publicSettings } from '../config/public-settings.js'
import { DEFAULT_CONSOLE_DIR, loadConsoleAssets } from '../console/console-assets.js'
import { subkey } from '../keys/master-key-check.js'
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js'
import type { RateLimitCounter } from '../rate-limit/rate-limit-counter.js'
import type { RevocationHub } from '../revocation/revocation-hub.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import type { OpenDatabase } from '../store/open-database.js'
import { startTracing, type Tracing } from '../tracing/start-tracing.js'
import { createApp } from './create-app.js'
import type { ExpectedFailures } from './expected-failures.js'
import { SERVER_VERSION } from './server-version.js'
import type { wireAccounts } from './wire-accounts.js'
import type { Catalogue } from './wire-catalogue.js'
import type { Identity } from './wire-identity.js'
import type { wireLogin } from './wire-login.js'
import type { MfaWiring } from './wire-mfa.js'
import type { wireOperations } from './wire-operations.js'
import type { TokenWiring } from './wire-tokens.js'
import type { wireWebhooks } from './wire-webhooks.js'
import type { Wiring } from './wiring.js'

export interface HttpWiringDeps {
  /** The built admin console to serve at /console (packages/console/dist by default). */
  consoleDir: string | undefined
  logger: Logger
  database: OpenDatabase
  failures: ExpectedFailures
  rateLimitCounter: RateLimitCounter
  metrics: PrometheusMetrics
  hub: RevocationHub
  cookie: CookieSettings
  /** True once shutdown began (close.ts): /readyz answers 503 while the server still serves. */
  draining: () => boolean
  catalogue: Catalogue
  identity: Identity
  tokens: TokenWiring
  webhooks: ReturnType<typeof wireWebhooks>['webhooks']
  email: ReturnType<typeof wireAccounts>['email']
  accounts: Accounts
  operations: ReturnType<typeof wireOperations>
  mfa: MfaWiring
  login: ReturnType<typeof wireLogin>
}

export interface HttpApp {
  /** The HTTP application, built on first use so CLI commands that need no HTTP stay light. */
  app(): Promise<FastifyInstance>
  /** Whether `app()` has built it. */
  built(): boolean
  /** Closes the application and the tracing it started, if any. */
  close(): Promise<void>
}

/** The HTTP application over the wired services, and the tracing that observes it when configured. */
export function wireHttp(wiring: Wiring, deps: HttpWiringDeps): HttpApp {
  const { config, clock, random, stores, transact, masterKey, policies } = wiring
  const { logger, database, catalogue, identity, tokens, mfa, login, operations } = deps
  const { keys, apis, applications, roles } = catalogue
  const { auth, sessions, users } = identity
  const trustedOrigins = new Set([new URL(config.issuer).origin, ...config.http.allowedOrigins])
  let app: FastifyInstance | undefined
  let tracing: Tracing | undefined

  return {
    async app() {
      if (!app) await keys.maintain() // a signing key exists before the first token request
      // Loaded only when configured: without an endpoint no OpenTelemetry module is imported.
      if (!app && config.tracing.endpoint) {
        tracing ??= await startTracing({
          endpoint: config.tracing.endpoint,
          serviceName: config.tracing.serviceName,
          sampleRatio: config.tracing.samplePercent / 100,
          instanceId: `${hostname()}:${process.pid}`,
        })
      }
      app ??= await createApp({
        logger,
        console: await loadConsoleAssets(deps.consoleDir ?? DEFAULT_CONSOLE_DIR, config.issuer),
        db: database.db,
        dpop: tokens.dpop,
        issuer: config.issuer,
        auth,
        sessions,
        keys,
        tokens: tokens.tokens,
        introspection: tokens.introspection,
        tokenRevocation: tokens.tokenRevocation,
        authenticateClient: tokens.authenticateClient,
        jwksMaxAge: config.keys.jwksMaxAge,
        revocationHub: deps.hub,
        revocationLog: stores.revocations,
        clock,
        feedHeartbeatIntervalMs: config.feed.heartbeatInterval * 1000,
        cookie: deps.cookie,
        policy: policies.session,
        trustedOrigins,
        trustProxy: config.trustProxy,
        bodyLimit: config.http.bodyLimit,
        rateLimit: { max: config.rateLimit.credentialRequestsPerIp, timeWindow: config.rateLimit.window * 1000 },
        metrics: deps.metrics,
        tracing,
        draining: deps.draining,
        accounts: deps.accounts,
        defaultLocale: config.defaultLocale,
        accountCsrfKey: subkey(masterKey, 'ui-account-csrf'),
        resetLinkMinutes: Math.round(config.email.resetLinkTtl / 60),
        offerEmailVerification: !config.signUp.requireVerifiedEmail,
        expectedFailure: (code, cause) => deps.failures.note(code, cause),
        rateLimitCounter: deps.rateLimitCounter,
        cors: {
          issuerOrigin: new URL(config.issuer).origin,
          findApplication: applications.find,
          isOriginOfAnyApplication: stores.applications.hasWebOrigin,
          clientOfAccessToken: async (token) => (await tokens.verifyAccessToken(token))?.clientId ?? null,
        },
        admin: {
          activeAccessToken: tokens.introspection.activeAccessToken,
          users,
          sessions,
          applications,
          apis,
          keys,
          roles,
          audit: operations.audit,
          webhooks: deps.webhooks.service,
          connections: login.connections.service,
          email: deps.email.service,
          accounts: deps.accounts,
          userStore: stores.users,
          stats: operations.stats,
          settings: () => ({
            version: SERVER_VERSION,
            node: process.version,
            database: database.dialect,
            redis: Boolean(config.redisUrl),
            settings: publicSettings(config),
          }),
          mfa: mfa.mfa,
          identities: { listForUser: login.connections.identitiesOf, unlink: login.connections.federation.unlink },
        },
        mfa: { mfa: mfa.mfa, webauthn: mfa.webauthn, policy: config.mfa.policy },
        device: {
          service: tokens.deviceAuthorizations,
          csrfKey: subkey(masterKey, 'ui-device-csrf'),
          secondFactorRequired: (clientId) => mfa.secondFactors.required(clientId),
          verifiedEmailRequired: config.signUp.requireVerifiedEmail,
          attempts: {
            perSession: config.deviceFlow.entriesPerSession,
            perIp: config.deviceFlow.entriesPerIp,
            windowMs: config.deviceFlow.entryWindow * 1000,
          },
        },
        connections: { ...login.connections, csrfKey: subkey(masterKey, 'account-connections-csrf') },
        oidc: {
          secondFactors: mfa.secondFactors,
          authorize: tokens.authorize,
          applications,
          apis,
          verifyAccessToken: tokens.verifyAccessToken,
          stores,
          random,
          logout: tokens.logout,
          userinfoAudience: tokens.userinfo.identifier,
          flows: login.flows,
          login: login.login,
          recovery: login.recovery,
          transact,
          pushedRequests: tokens.pushedRequests,
        },
      })
      return app
    },
    built: () => app !== undefined,
    async close() {
      await app?.close()
      await tracing?.shutdown()
    },
  }
}
