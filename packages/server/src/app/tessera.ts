import type { FastifyInstance } from 'fastify'
import type { DestinationStream } from 'pino'
import type { Config } from '../config/config-schema.js'
import { loadMasterKey } from '../keys/master-key.js'
import { type MetricsServer, startMetricsServer } from '../metrics/metrics-server.js'
import { cookieSettings } from '../sessions/session-cookie.js'
import { type Clock, systemClock } from '../shared/clock.js'
import { holdNextTickShape } from '../shared/next-tick-shape.js'
import { cryptoRandom, type RandomSource } from '../shared/random.js'
import type { PasswordEstimator } from '../users/password-estimate-pool.js'
import { type BackgroundTasks, startBackgroundTasks } from './background-tasks.js'
import { closeTessera, type Lifecycle } from './close.js'
import { createExpectedFailures } from './expected-failures.js'
import { createLogger } from './logger.js'
import { openStore } from './open-store.js'
import { policiesFrom } from './policies.js'
import { wireAccounts } from './wire-accounts.js'
import { wireCatalogue } from './wire-catalogue.js'
import { wireHttp } from './wire-http.js'
import { wireIdentity } from './wire-identity.js'
import { wireLogin } from './wire-login.js'
import { wireMfa } from './wire-mfa.js'
import { wireOperations } from './wire-operations.js'
import { wireRateLimits } from './wire-rate-limits.js'
import { wireStorage } from './wire-storage.js'
import { wireTokens } from './wire-tokens.js'
import { wireWebhooks } from './wire-webhooks.js'
import type { Wiring } from './wiring.js'

export interface TesseraRuntime {
  clock?: Clock
  random?: RandomSource
  /** Where logs go; stdout by default. */
  logStream?: DestinationStream
  /** Skip migrations (for `tessera migrate`, which runs them itself). */
  skipMigrations?: boolean
  /** The built admin console to serve at /console (packages/console/dist by default). */
  consoleDir?: string
  /**
   * The password-strength estimator; the process's worker thread by default (users/password-estimate-pool.ts).
   * A pool shared by several instances reports each one's failed estimates through that instance's logger.
   */
  passwordEstimator?: PasswordEstimator
}

/**
 * The composition root: opens the store, runs migrations, wires every service and the HTTP app.
 * The CLI and the test helper both build Tessera through this one function. Each concern is wired
 * by one app/wire-*.ts step, in the order their dependencies allow; this function only reads as
 * the list of those steps.
 */
export async function createTessera(config: Config, runtime: TesseraRuntime = {}) {
  // Process-wide, once: keeps nextTick's queue entries on V8's fast path (architecture.md §9).
  holdNextTickShape()
  const clock = runtime.clock ?? systemClock
  const random = runtime.random ?? cryptoRandom
  const logger = createLogger(config, runtime.logStream)
  const master = loadMasterKey({ configured: config.masterKey, dataDir: config.dataDir })
  const failures = createExpectedFailures(logger)

  const database = await openStore(config, {
    masterKey: master.key,
    clock,
    skipMigrations: runtime.skipMigrations,
    onConnectionError: (error) => failures.note('store_unavailable', error),
  })
  const rateLimits = wireRateLimits(config, database, logger)
  const { stores, metrics, recorder, activity, hub, transact, listeners } = wireStorage({
    database,
    clock,
    backgroundFailure: failures.background,
  })
  const policies = policiesFrom(config, logger, runtime.passwordEstimator)
  const wiring: Wiring = { config, clock, random, stores, transact, recorder, masterKey: master.key, policies }

  const catalogue = wireCatalogue(wiring)
  listeners.configCache = catalogue.cache
  const identity = wireIdentity(wiring, catalogue.roles)
  const oauth = wireTokens(wiring, { catalogue, sessions: identity.sessions, database, redis: rateLimits.redis })
  const { webhooks, backchannel } = wireWebhooks(wiring, catalogue)
  const { email, accounts } = wireAccounts(wiring, { logger, metrics, identity })
  const operations = wireOperations(wiring, {
    database,
    metrics,
    activity,
    hub,
    emailConsumerRuns: email.dispatcher !== null,
    backgroundFailure: failures.background,
  })
  const secondFactors = wireMfa(wiring, { identity, applications: catalogue.applications })
  const login = wireLogin(wiring, {
    catalogue,
    identity,
    authorize: oauth.authorize,
    secondFactors: secondFactors.secondFactors,
    accounts,
  })

  const cookie = cookieSettings(config.cookie.name, config.cookie.secure, config.issuer, config.cookie.sameSite)
  const lifecycle: Lifecycle = { draining: false }
  const http = wireHttp(wiring, {
    consoleDir: runtime.consoleDir,
    logger,
    database,
    failures,
    rateLimitCounter: rateLimits.counter,
    metrics,
    hub,
    cookie,
    draining: () => lifecycle.draining,
    catalogue,
    identity,
    tokens: oauth,
    webhooks,
    email,
    accounts,
    operations,
    mfa: secondFactors,
    login,
  })
  let background: BackgroundTasks | undefined
  let metricsServer: MetricsServer | undefined

  const { keys, apis, applications, roles } = catalogue
  const { auth, users, sessions } = identity
  const { mfa, webauthn } = secondFactors
  return {
    config,
    database,
    stores,
    /** Webhook endpoints and their dispatcher (tests call `webhooks.dispatcher.tick()` themselves). */
    webhooks,
    /** Email delivery (tests call `email.dispatcher.tick()` themselves). */
    email,
    /** Back-channel logout delivery (tests call `backchannel.tick()` themselves). */
    backchannel,
    /** Upstream identity providers and the identities linked through them (issue 15). */
    connections: login.connections,
    /** The background purge (tests call `housekeeping.run()` themselves). */
    housekeeping: operations.housekeeping,
    services: {
      accounts,
      auth,
      users,
      sessions,
      keys,
      apis,
      applications,
      roles,
      audit: operations.audit,
      tokens: oauth.tokens,
      authorize: oauth.authorize,
      introspection: oauth.introspection,
      tokenRevocation: oauth.tokenRevocation,
      verifyAccessToken: oauth.verifyAccessToken,
      revocationHub: hub,
      /** Clients, APIs and role grants read by token requests (app/config-cache.ts). */
      configCache: catalogue.cache,
      adminBootstrap: catalogue.adminBootstrap,
      mfa,
      webauthn,
    },
    cookie,
    logger,
    masterKeyGenerated: master.generated,
    /** The HTTP application, built on first use so CLI commands that need no HTTP stay light. */
    app: (): Promise<FastifyInstance> => http.app(),
    /** Applies the key schedule now and then every minute, until close (the server does this; CLI commands do not). */
    async startBackgroundTasks(): Promise<void> {
      background = await startBackgroundTasks({
        config,
        logger,
        database,
        keys,
        hub,
        cache: catalogue.cache,
        audit: operations.audit,
        listeners,
        rateLimitRedis: rateLimits.redis,
        webhookTick: webhooks.dispatcher.tick,
        backchannelTick: backchannel.tick,
        housekeepingTick: operations.housekeeping.run,
        emailTick: email.dispatcher?.tick ?? null,
        backgroundFailure: failures.background,
      })
    },
    /** The plain metrics port, when `metrics.port` is set (`tessera start` opens it after the main port). */
    async startMetricsServer(): Promise<MetricsServer | null> {
      if (config.metrics.port === 0) return null
      metricsServer ??= await startMetricsServer(metrics, {
        host: config.metrics.host,
        port: config.metrics.port,
        onError: (error) => logger.error({ err: error }, 'metrics port failed'),
      })
      return metricsServer
    },
    async close(): Promise<void> {
      await closeTessera({
        config,
        lifecycle,
        http,
        metricsServer,
        background,
        email,
        cache: catalogue.cache,
        listeners,
        rateLimitRedis: rateLimits.redis,
        hub,
        database,
        failures,
      })
    },
  }
}

export type Tessera = Awaited<ReturnType<typeof createTessera>>
