import type { FastifyInstance } from 'fastify'
import pino, { type DestinationStream, type Logger } from 'pino'
import { createAuthService } from './auth/auth-service.js'
import type { Config } from './config/config-schema.js'
import { createApp } from './http/create-app.js'
import { cookieSettings } from './sessions/session-cookie.js'
import { createSessionService } from './sessions/session-service.js'
import { type Clock, systemClock } from './shared/clock.js'
import { cryptoRandom, type RandomSource } from './shared/random.js'
import { migrateToLatest } from './store/migrate.js'
import { type OpenDatabase, openDatabase } from './store/open-database.js'
import { createStores, createTransact } from './store/stores.js'
import { loadPasswordList } from './users/common-passwords.js'
import { createPasswordHasher } from './users/password-hasher.js'
import { createUserService } from './users/user-service.js'

export interface TesseraRuntime {
  clock?: Clock
  random?: RandomSource
  /** Where logs go; stdout by default. */
  logStream?: DestinationStream
  /** Skip migrations (for `tessera migrate`, which runs them itself). */
  skipMigrations?: boolean
}

/** Log paths that may hold a secret; pino replaces them (no secret or token in logs). */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.hash',
]

let blocklist: ReadonlySet<string> | undefined

/**
 * The composition root: opens the store, runs migrations, wires every service and the HTTP app.
 * The CLI and the test helper both build Tessera through this one function.
 */
export async function createTessera(config: Config, runtime: TesseraRuntime = {}) {
  const clock = runtime.clock ?? systemClock
  const random = runtime.random ?? cryptoRandom
  const logger: Logger = pino({ level: config.logLevel, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } }, runtime.logStream)

  const database: OpenDatabase = openDatabase(config.databaseUrl)
  try {
    if (!runtime.skipMigrations) await migrateToLatest(database)
  } catch (error) {
    await database.db.destroy()
    throw error
  }
  const stores = createStores(database.db)
  const transact = createTransact(database.db)

  const sessionPolicy = {
    idleTimeoutMs: config.session.idleTimeout * 1000,
    absoluteLifetimeMs: config.session.absoluteLifetime * 1000,
    activityIntervalMs: config.session.activityInterval * 1000,
  }
  blocklist ??= loadPasswordList()
  const passwordPolicy = { ...config.password, blocklist }
  const hasher = createPasswordHasher(config.argon2)
  const sessions = createSessionService({
    stores,
    transact,
    clock,
    random,
    policy: sessionPolicy,
    revocationRetentionMs: config.tokens.maxAccessTokenTtl * 1000,
  })
  const users = createUserService({ stores, transact, clock, random, hasher, passwordPolicy, sessions })
  const auth = createAuthService({
    stores,
    transact,
    clock,
    hasher,
    passwordPolicy,
    users,
    sessions,
    throttlePolicy: {
      freeFailures: config.signIn.freeFailures,
      backoffBaseMs: config.signIn.backoffBase * 1000,
      backoffMaxMs: config.signIn.backoffMax * 1000,
    },
  })

  const cookie = cookieSettings(config.cookie.name, config.cookie.secure, config.issuer, config.cookie.sameSite)
  const trustedOrigins = new Set([new URL(config.issuer).origin, ...config.http.allowedOrigins])
  let app: FastifyInstance | undefined

  return {
    config,
    database,
    stores,
    services: { auth, users, sessions },
    cookie,
    logger,
    /** The HTTP application, built on first use so CLI commands that need no HTTP stay light. */
    async app(): Promise<FastifyInstance> {
      app ??= await createApp({
        logger,
        db: database.db,
        auth,
        sessions,
        cookie,
        policy: sessionPolicy,
        trustedOrigins,
        trustProxy: config.trustProxy,
        bodyLimit: config.http.bodyLimit,
        rateLimit: { max: config.rateLimit.credentialRequestsPerIp, timeWindow: config.rateLimit.window * 1000 },
      })
      return app
    },
    async close(): Promise<void> {
      await app?.close()
      await database.db.destroy()
    },
  }
}

export type Tessera = Awaited<ReturnType<typeof createTessera>>
