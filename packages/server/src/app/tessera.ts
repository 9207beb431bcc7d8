import { hostname } from 'node:os'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import pino, { type DestinationStream, type Logger } from 'pino'
import { accountEmailComposers } from '../accounts/account-email-composers.js'
import { DEFAULT_ACCOUNT_TOKEN_POLICY } from '../accounts/account-token.js'
import { createAccounts } from '../accounts/accounts.js'
import { createAdminBootstrap } from '../admin/admin-bootstrap.js'
import { createApiService } from '../apis/api-service.js'
import { createApplicationService } from '../applications/application-service.js'
import { createAuditProjector } from '../audit/audit-projector.js'
import { createAuditService } from '../audit/audit-service.js'
import { createAuthService } from '../auth/auth-service.js'
import { createAuthorizeService } from '../authorize/authorize-service.js'
import { createDeviceAuthorizationService } from '../authorize/device-authorization-service.js'
import { createPushedRequestService } from '../authorize/pushed-request-service.js'
import { createBackchannelDispatcher } from '../backchannel/backchannel-dispatcher.js'
import { ConfigError } from '../config/config-error.js'
import type { Config } from '../config/config-schema.js'
import { publicSettings } from '../config/public-settings.js'
import { createConnections } from '../connections/connections.js'
import { DEFAULT_CONSOLE_DIR, loadConsoleAssets } from '../console/console-assets.js'
import { isBuiltInApplication, resolveBuiltInApplication } from '../console/console-client.js'
import { createEmail } from '../email/email.js'
import { emailBacklog } from '../email/email-backlog.js'
import { createFlowService } from '../flows/flow-service.js'
import { createLoginFlow } from '../flows/login-flow.js'
import { createUpstreamAccounts } from '../flows/upstream-accounts.js'
import { createHousekeeping } from '../housekeeping/housekeeping.js'
import { retentionRules } from '../housekeeping/retention-rules.js'
import { serializeRequest } from '../http/request-log.js'
import { createKeyService } from '../keys/key-service.js'
import { loadMasterKey, MasterKeyError } from '../keys/master-key.js'
import { ensureMasterKeyCheck, subkey } from '../keys/master-key-check.js'
import { type MetricsServer, startMetricsServer } from '../metrics/metrics-server.js'
import { createPrometheusMetrics } from '../metrics/prometheus-metrics.js'
import { createMfaRequirement } from '../mfa/mfa-policy.js'
import { createMfaService } from '../mfa/mfa-service.js'
import { createRecoveryCodeHasher } from '../mfa/recovery-codes.js'
import { createSecondFactors } from '../mfa/second-factors.js'
import { createTotpSecretBox } from '../mfa/totp-secret-box.js'
import { createWebAuthnService } from '../mfa/webauthn-service.js'
import { createClientAuthentication } from '../oauth/client-authentication.js'
import { createLogoutService } from '../oauth/logout-service.js'
import { createDatabaseRateLimitCounter } from '../rate-limit/database-rate-limit-counter.js'
import { withFallback } from '../rate-limit/rate-limit-counter.js'
import { createRedisRateLimitCounter } from '../rate-limit/redis-rate-limit-counter.js'
import { createRoleService } from '../rbac/role-service.js'
import { createRevocationHub } from '../revocation/revocation-hub.js'
import { POSTGRES_CHANNEL, type RevocationSignals, startRevocationSignals } from '../revocation/revocation-signals.js'
import { cookieSettings } from '../sessions/session-cookie.js'
import { createSessionService } from '../sessions/session-service.js'
import { createBurstLog } from '../shared/burst-log.js'
import { type Clock, systemClock } from '../shared/clock.js'
import { cryptoRandom, type RandomSource } from '../shared/random.js'
import { createInstanceActivity, observeActivity } from '../stats/instance-activity.js'
import { createStatsService } from '../stats/stats-service.js'
import { createStatsStore } from '../stats/stats-store.js'
import { migrateToLatest } from '../store/migrate.js'
import { ensureReachable, type OpenDatabase, openDatabase } from '../store/open-database.js'
import { createRedisConnection } from '../store/redis-connection.js'
import { isStoreUnavailable } from '../store/store-unavailable.js'
import { createAccessTokenIssuer } from '../tokens/access-token-issuer.js'
import { createAccessTokenVerifier } from '../tokens/access-token-verifier.js'
import { revokeTokensOfApi } from '../tokens/api-token-cut-off.js'
import { createDpopCheck } from '../tokens/dpop/dpop-check.js'
import { createDpopNonces } from '../tokens/dpop/dpop-nonce.js'
import { createDpopReplayStore, createRedisDpopReplayStore } from '../tokens/dpop/dpop-replay-store.js'
import { createTokenGrants } from '../tokens/grants/token-grants.js'
import { createIdTokenIssuer } from '../tokens/id-token-issuer.js'
import { createIntrospectionService } from '../tokens/introspection-service.js'
import { createTokenRevocationService } from '../tokens/token-revocation-service.js'
import { userinfoApi } from '../tokens/userinfo-api.js'
import { startTracing, type Tracing } from '../tracing/start-tracing.js'
import { loadPasswordList } from '../users/common-passwords.js'
import { createPasswordHasher } from '../users/password-hasher.js'
import { createUserService } from '../users/user-service.js'
import { DISPATCH_INTERVAL_MS, type DispatchLoop, startDispatchLoop } from '../webhooks/webhook-dispatch-loop.js'
import { createWebhookSender } from '../webhooks/webhook-sender.js'
import { systemResolver } from '../webhooks/webhook-target.js'
import { createWebhooks } from '../webhooks/webhooks.js'
import { type ConfigCache, createConfigCache } from './config-cache.js'
import { createApp } from './create-app.js'
import { SERVER_VERSION } from './server-version.js'
import { createStores, createTransact, type Stores } from './stores.js'

export interface TesseraRuntime {
  clock?: Clock
  random?: RandomSource
  /** Where logs go; stdout by default. */
  logStream?: DestinationStream
  /** Skip migrations (for `tessera migrate`, which runs them itself). */
  skipMigrations?: boolean
  /** The built admin console to serve at /console (packages/console/dist by default). */
  consoleDir?: string
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
  '*.masterKey',
  '*.client_secret',
  '*.refresh_token',
  '*.access_token',
  '*.subject_token',
]

/** How often each instance applies the key-rotation schedule. */
const KEY_MAINTENANCE_INTERVAL_MS = 60_000

/** How often each instance copies new outbox events into the audit log (reads catch up themselves). */
const AUDIT_PROJECTION_INTERVAL_MS = 2_000

/** Expected failures are logged when a burst starts, then as one count per window of this length. */
const FAILURE_BURST_WINDOW_MS = 10_000

type ExpectedFailureKind = 'store_unavailable' | 'rate_limited'

const BURST_MESSAGES: Record<ExpectedFailureKind, { first: string; more: string }> = {
  store_unavailable: {
    first: 'store unavailable: answering 503 store_unavailable until it is back; further failures are counted, not logged one by one',
    more: 'store unavailable: more failures since the last report',
  },
  rate_limited: {
    first: 'per-IP rate limit reached: answering 429 rate_limited; further refusals are counted, not logged one by one',
    more: 'per-IP rate limit: more refusals since the last report',
  },
}

let blocklist: ReadonlySet<string> | undefined

/**
 * The composition root: opens the store, runs migrations, wires every service and the HTTP app.
 * The CLI and the test helper both build Tessera through this one function.
 */
export async function createTessera(config: Config, runtime: TesseraRuntime = {}) {
  const clock = runtime.clock ?? systemClock
  const random = runtime.random ?? cryptoRandom
  const logger: Logger = pino(
    {
      level: config.logLevel,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      // The request log keeps no secret from a URL (an upstream's code at our callback: http/request-log.ts).
      serializers: { req: serializeRequest },
    },
    runtime.logStream,
  )
  const master = loadMasterKey({ configured: config.masterKey, dataDir: config.dataDir })

  const failures = createBurstLog<ExpectedFailureKind>({
    windowMs: FAILURE_BURST_WINDOW_MS,
    report: ({ key, first, count, detail }) =>
      first
        ? logger.warn(
            { code: key, ...(key === 'store_unavailable' ? { reason: (detail as Error | undefined)?.message } : {}) },
            BURST_MESSAGES[key].first,
          )
        : logger.warn({ code: key, count, windowMs: FAILURE_BURST_WINDOW_MS }, BURST_MESSAGES[key].more),
  })
  /** A background task failed: a store outage is counted with the others, anything else is a bug worth a stack. */
  const backgroundFailure = (what: string) => (error: unknown) => {
    if (isStoreUnavailable(error)) failures.note('store_unavailable', error)
    else logger.error({ err: error }, `${what} failed`)
  }

  const database: OpenDatabase = openDatabase(config.databaseUrl, {
    onConnectionError: (error) => failures.note('store_unavailable', error),
  })
  try {
    await ensureReachable(database)
    if (!runtime.skipMigrations) {
      await migrateToLatest(database)
      await ensureMasterKeyCheck(database.db, master.key, clock.now())
    }
  } catch (error) {
    await database.db.destroy()
    throw error instanceof MasterKeyError ? new ConfigError([error.message]) : error
  }
  // Per-IP limits are counted where every instance counts: Redis when configured (the database
  // while Redis cannot answer), the database otherwise (issue 18 part 2).
  const databaseRateLimits = createDatabaseRateLimitCounter(database.db)
  const rateLimitRedis = config.redisUrl
    ? createRedisConnection(config.redisUrl, { name: 'rate-limit', role: 'publisher', logger })
    : undefined
  const rateLimitCounter = rateLimitRedis
    ? withFallback(createRedisRateLimitCounter(rateLimitRedis.redis), databaseRateLimits)
    : databaseRateLimits
  const stores = createStores(database.db, database.dialect)
  const prometheus = createPrometheusMetrics({
    feedSubscribers: () => hub.subscribers,
    webhookBacklog: () => stores.webhookDeliveries.backlog(),
    emailBacklog: () => emailBacklog(database.db),
    pool: database.pool,
    poolMax: database.pool?.options.max,
    now: () => clock.now(),
  })
  // The console's overview reads this instance's tokens per hour and feed lag from the same calls.
  const activity = createInstanceActivity(clock)
  const metrics = { ...prometheus, recorder: observeActivity(prometheus.recorder, activity) }
  const recorder = metrics.recorder
  const hub = createRevocationHub({ log: stores.revocations, clock, metrics: recorder })
  let signals: RevocationSignals | undefined
  let configCache: ConfigCache | undefined
  const transact = createTransact(database.db, database.dialect, {
    // This instance's streams learn at once; other instances through NOTIFY, Redis or their poll.
    afterRevocationCommit: (kinds) => {
      recorder.revocationsWritten(kinds)
      configCache?.invalidate()
      hub.signal().catch(backgroundFailure('revocation hub'))
      signals?.announce()
    },
    // An application, API or role changed: this instance drops its cache at once, and every other
    // instance is woken through the revocation signals, whose wake drops theirs (docs/architecture.md §8).
    afterConfigCommit: () => {
      configCache?.invalidate()
      if (!signals) return
      signals.announce()
      if (database.dialect === 'postgres')
        sql`select pg_notify(${POSTGRES_CHANNEL}, '')`.execute(database.db).catch(backgroundFailure('change notification'))
    },
    onHookError: backgroundFailure('after-commit hook'),
  })
  const revocationRetentionMs = config.tokens.maxAccessTokenTtl * 1000

  const sessionPolicy = {
    idleTimeoutMs: config.session.idleTimeout * 1000,
    absoluteLifetimeMs: config.session.absoluteLifetime * 1000,
    activityIntervalMs: config.session.activityInterval * 1000,
  }
  const throttlePolicy = {
    freeFailures: config.signIn.freeFailures,
    backoffBaseMs: config.signIn.backoffBase * 1000,
    backoffMaxMs: config.signIn.backoffMax * 1000,
  }
  const refreshPolicy = {
    idleTtlMs: config.tokens.refreshTokenIdleTtl * 1000,
    absoluteTtlMs: config.tokens.refreshTokenAbsoluteTtl * 1000,
    graceMs: config.tokens.refreshGracePeriod * 1000,
  }
  blocklist ??= loadPasswordList()
  const passwordPolicy = { ...config.password, blocklist }
  const hasher = createPasswordHasher(config.argon2)
  const sessions = createSessionService({ stores, transact, clock, random, policy: sessionPolicy, revocationRetentionMs })
  const users = createUserService<Stores>({
    stores,
    transact,
    clock,
    random,
    hasher,
    passwordPolicy,
    sessions,
    // Every new account gets the roles marked default, in the transaction that creates it.
    onCreated: (tx, user, actor) => roles.assignDefaultsIn(tx, user.id, actor),
  })
  const auth = createAuthService({
    stores,
    transact,
    clock,
    hasher,
    passwordPolicy,
    users,
    sessions,
    throttlePolicy,
    metrics: recorder,
    requireVerifiedEmail: config.signUp.requireVerifiedEmail,
  })

  const keys = createKeyService({
    stores,
    transact,
    clock,
    masterKey: subkey(master.key, 'signing-key-encryption'),
    algorithm: config.keys.algorithm,
    rsaModulusLength: config.keys.rsaModulusLength,
    policy: {
      rotationIntervalMs: config.keys.rotationInterval * 1000,
      prePublishMs: config.keys.prePublish * 1000,
      maxTokenLifetimeMs: config.tokens.maxAccessTokenTtl * 1000,
    },
    revocationRetentionMs,
  })
  const apis = createApiService<Stores>({
    stores,
    transact,
    clock,
    random,
    maxAccessTokenTtl: config.tokens.maxAccessTokenTtl,
    // A deleted API's live tokens die with it, in the same transaction.
    onDeleted: (tx, identifier, now) => revokeTokensOfApi(tx, identifier, now),
  })
  const applications = createApplicationService({
    stores,
    transact,
    clock,
    random,
    revocationRetentionMs,
    builtIn: {
      isBuiltIn: isBuiltInApplication,
      resolve: (application) => resolveBuiltInApplication(application, config.issuer),
    },
  })
  const roles = createRoleService({ stores, transact, clock, random, revocationRetentionMs })
  // Token requests read clients, APIs and role grants through this cache; it stores nothing until
  // the signals that invalidate it run (startBackgroundTasks).
  const cached = createConfigCache({ applications, apis, roles, revocations: stores.revocations, rootStores: stores })
  configCache = cached
  const adminBootstrap = createAdminBootstrap({ transact, applications, roles })
  const accessTokens = createAccessTokenIssuer({ issuer: config.issuer, keys, clock, random })
  const verifyAccessToken = createAccessTokenVerifier({ issuer: config.issuer, keys, clock })
  const userinfo = userinfoApi(config.issuer)
  const tokens = createTokenGrants({
    transact,
    stores,
    clock,
    random,
    issuer: config.issuer,
    sessions,
    sessionPolicy,
    apis: cached.apis,
    roles: cached.roles,
    accessTokens,
    idTokens: createIdTokenIssuer({ keys, clock }),
    refreshPolicy,
    successorKey: subkey(master.key, 'refresh-token-successor'),
    maxAccessTokenTtl: config.tokens.maxAccessTokenTtl,
    requireVerifiedEmail: config.signUp.requireVerifiedEmail,
    userinfoApi: userinfo,
    metrics: recorder,
  })
  const csrfKey = subkey(master.key, 'ui-csrf')
  // RFC 9449: DPoP proofs are remembered where every instance sees them (Redis when configured, else
  // the database), and nonces, when required, are HMACs every instance can check.
  const dpopDatabaseReplay = createDpopReplayStore(database.db)
  const dpopNonces = config.tokens.dpopNonce ? createDpopNonces(subkey(master.key, 'dpop-nonce')) : null
  const dpop = {
    check: createDpopCheck({
      replay: rateLimitRedis ? createRedisDpopReplayStore(rateLimitRedis.redis, dpopDatabaseReplay, clock) : dpopDatabaseReplay,
      nonces: dpopNonces,
      clock,
    }),
    nonces: dpopNonces,
    clock,
    tokenEndpoint: `${config.issuer.replace(/\/$/, '')}/oauth/token`,
    userinfoEndpoint: `${userinfo.identifier}`,
  }
  const authorize = createAuthorizeService({ stores, clock, random, issuer: config.issuer })
  const pushedRequests = createPushedRequestService({
    store: stores.pushedRequests,
    clock,
    random,
    findApplication: (clientId) => applications.find(clientId),
    findApi: (identifier) => apis.find(identifier),
  })
  // RFC 8628: user codes are stored as HMACs under their own subkey (authorize/device-user-code.ts).
  const deviceAuthorizations = createDeviceAuthorizationService({
    store: stores.deviceAuthorizations,
    transact,
    clock,
    random,
    userCodeKey: subkey(master.key, 'device-user-code'),
    issuer: config.issuer,
    policy: { lifetimeSeconds: config.deviceFlow.codeLifetime, intervalSeconds: config.deviceFlow.interval },
    findApplication: (clientId) => applications.find(clientId),
    findApi: (identifier) => apis.find(identifier),
  })
  const logout = createLogoutService({ issuer: config.issuer, keys, applications, sessions })
  const flows = createFlowService({ store: stores.flows, transact, clock, random, csrfKey })
  const introspection = createIntrospectionService({
    stores,
    clock,
    issuer: config.issuer,
    sessions,
    verifyAccessToken,
    refreshPolicy,
    applications: cached.applications,
    clientCutoffs: cached.revocations,
    apiExists: async (identifier) => (await cached.apis.find(identifier)) !== null,
  })
  const tokenRevocation = createTokenRevocationService({ transact, clock, verifyAccessToken })
  const authenticateClient = createClientAuthentication({
    applications: { find: cached.applications.find, secretMatches: applications.secretMatches },
    stores,
    clock,
    throttlePolicy,
  })
  const webhooks = createWebhooks({
    stores,
    transact,
    clock,
    random,
    secretKey: subkey(master.key, 'webhook-secret-encryption'),
    production: config.env === 'production',
    timeoutMs: config.webhooks.timeout * 1000,
    connectTimeoutMs: config.webhooks.connectTimeout * 1000,
    rotationOverlapMs: config.webhooks.secretRotationOverlap * 1000,
    metrics: recorder,
  })

  // OIDC Back-Channel Logout 1.0: logout tokens go out with the webhooks' network rules.
  const backchannel = createBackchannelDispatcher({
    issuer: config.issuer,
    stores,
    transact,
    clock,
    random,
    findApplication: applications.find,
    signer: () => keys.signer(),
    send: createWebhookSender({
      resolve: systemResolver,
      production: config.env === 'production',
      timeoutMs: config.webhooks.timeout * 1000,
      connectTimeoutMs: Math.min(config.webhooks.connectTimeout, config.webhooks.timeout) * 1000,
    }),
  })

  const accountTokenPolicy = {
    ...DEFAULT_ACCOUNT_TOKEN_POLICY,
    verificationLinkTtlMs: config.email.verificationLinkTtl * 1000,
    resetLinkTtlMs: config.email.resetLinkTtl * 1000,
  }
  const accountLimits = {
    windowMs: config.email.requestWindow * 1000,
    perAddress: config.email.requestsPerAddress,
    perIp: config.email.requestsPerIp,
  }
  const codeKey = subkey(master.key, 'account-codes')
  const createdEmail = createEmail({
    stores,
    transact,
    clock,
    random,
    production: config.env === 'production',
    smtpUrl: config.email.smtpUrl,
    from: config.email.from,
    timeoutMs: config.email.timeout * 1000,
    issuer: config.issuer,
    dataDir: config.dataDir,
    branding: {
      productName: config.email.productName,
      color: config.email.brandColor,
      logoUrl: config.email.logoUrl,
      supportAddress: config.email.supportAddress,
    },
    sealKey: subkey(master.key, 'email-variables'),
    composers: accountEmailComposers({
      issuer: config.issuer,
      random,
      clock,
      codeKey,
      policy: accountTokenPolicy,
      defaultLocale: config.defaultLocale,
    }),
    // The line the development outbox exists for (never in production, which has no outbox).
    logOutbox: (fields) => logger.info({ outbox: fields }, 'Email written to the development outbox'),
    onComposeError: (error, eventSeq) => logger.error({ err: error, eventSeq }, 'email could not be composed'),
    // Issue 12: an SMTP outage is one warning when it starts and one line when it ends, not one per attempt.
    onTransportHealth: (change) =>
      change.state === 'down'
        ? logger.warn(
            { code: 'email_transport_down', error: change.error },
            'email cannot be sent: messages are kept and retried (see the delivery log)',
          )
        : logger.info(
            { code: 'email_transport_up', failedAttempts: change.failedAttempts, downForMs: change.downForMs },
            'email is being sent again',
          ),
  })

  // Each dispatcher round's attempts are counted for /metrics (tessera_email_attempts_total).
  const countedDispatcher = createdEmail.dispatcher && {
    ...createdEmail.dispatcher,
    tick: async () => {
      const report = await (createdEmail.dispatcher as NonNullable<typeof createdEmail.dispatcher>).tick()
      metrics.emailAttempts(report.sent, report.failed)
      return report
    },
  }
  const email = { ...createdEmail, dispatcher: countedDispatcher }

  const accounts = createAccounts({
    stores,
    transact,
    clock,
    hasher,
    passwordPolicy,
    sessions,
    codeKey,
    policy: accountTokenPolicy,
    limits: accountLimits,
    requireEmail: email.service.requireAvailable,
    users,
  })
  const requireVerifiedEmail = config.signUp.requireVerifiedEmail

  const audit = createAuditService({ stores, projector: createAuditProjector({ stores, clock }) })
  const stats = createStatsService({
    store: createStatsStore(database.db),
    clock,
    idleTimeoutMs: sessionPolicy.idleTimeoutMs,
    activity,
    catchUpAudit: () => audit.catchUp(),
    feedSubscribers: () => hub.subscribers,
    webhookBacklog: () => stores.webhookDeliveries.backlog(),
  })

  // Expired and old rows go in small batches in the background (housekeeping/, docs/operations.md).
  const housekeeping = createHousekeeping({
    rules: retentionRules(database.db, database.dialect, {
      maxAccessTokenTtlMs: config.tokens.maxAccessTokenTtl * 1000,
      sessionIdleTimeoutMs: sessionPolicy.idleTimeoutMs,
      sessionAbsoluteLifetimeMs: sessionPolicy.absoluteLifetimeMs,
      refreshAbsoluteTtlMs: refreshPolicy.absoluteTtlMs,
      deliveryRetentionMs: config.housekeeping.deliveryRetention * 1000,
      auditRetentionMs: config.housekeeping.auditRetention * 1000,
      outboxRetentionMs: config.housekeeping.outboxRetention * 1000,
      accountRequestWindowMs: accountLimits.windowMs,
      emailConsumerRuns: email.dispatcher !== null,
    }),
    clock,
    batchSize: config.housekeeping.batchSize,
    budgetMs: config.housekeeping.timeBudget * 1000,
    onPurged: metrics.housekeepingPurged,
    onRun: (report) => metrics.housekeepingRun(report.failed.length > 0 ? 'failed' : report.complete ? 'complete' : 'partial'),
    onError: (table, error) => backgroundFailure(`housekeeping of ${table}`)(error),
  })

  // Second factors (issue 13): TOTP secrets sealed and recovery codes keyed under their own subkeys.
  const recoveryCodeHasher = createRecoveryCodeHasher(subkey(master.key, 'recovery-code-hash'))
  const mfa = createMfaService({
    transact,
    clock,
    random,
    secretBox: createTotpSecretBox(subkey(master.key, 'totp-secret-encryption')),
    recoveryCodes: recoveryCodeHasher,
    issuerName: new URL(config.issuer).host,
    revocationRetentionMs,
    policy: config.mfa.policy,
  })
  const webauthn = createWebAuthnService({
    transact,
    clock,
    random,
    issuer: config.issuer,
    rpName: new URL(config.issuer).host,
    recoveryCodes: recoveryCodeHasher,
    policy: config.mfa.policy,
  })
  const secondFactors = createSecondFactors({
    mfa,
    webauthn,
    guard: auth.guardSecondFactor,
    users: stores.users,
    required: createMfaRequirement({
      policy: config.mfa.policy,
      applicationRequires: async (clientId) => (await applications.find(clientId))?.requireMfa ?? false,
    }),
  })
  // Upstream identity providers (issue 15): client secrets sealed under their own subkey.
  const connections = createConnections({
    stores,
    transact,
    clock,
    random,
    secretKey: subkey(master.key, 'connection-secret-encryption'),
    issuer: config.issuer,
    production: config.env === 'production',
    resolve: systemResolver,
    timeoutMs: config.connections.timeout * 1000,
    // A just-in-time account gets the default roles like any other new account (issue 16).
    onAccountCreated: (tx, user, actor) => roles.assignDefaultsIn(tx, user.id, actor),
  })
  const login = createLoginFlow({
    upstream: createUpstreamAccounts({
      connections: connections.service,
      federation: connections.federation,
      sessions,
      requireVerifiedEmail: config.signUp.requireVerifiedEmail,
    }),
    flows,
    auth,
    authorize,
    findApplication: (clientId) => applications.find(clientId),
    transact,
    clock,
    secondFactors,
    ...(requireVerifiedEmail ? { verifiedEmail: accounts.signUp } : {}),
  })

  const cookie = cookieSettings(config.cookie.name, config.cookie.secure, config.issuer, config.cookie.sameSite)
  const trustedOrigins = new Set([new URL(config.issuer).origin, ...config.http.allowedOrigins])
  let app: FastifyInstance | undefined
  let tracing: Tracing | undefined
  let draining = false
  let metricsServer: MetricsServer | undefined
  let maintenance: NodeJS.Timeout | undefined
  let webhookLoop: DispatchLoop | undefined
  let emailLoop: DispatchLoop | undefined
  let backchannelLoop: DispatchLoop | undefined
  let housekeepingLoop: DispatchLoop | undefined
  let auditProjection: NodeJS.Timeout | undefined
  let projecting: Promise<unknown> | null = null

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
    connections,
    /** The background purge (tests call `housekeeping.run()` themselves). */
    housekeeping,
    services: {
      accounts,
      auth,
      users,
      sessions,
      keys,
      apis,
      applications,
      roles,
      audit,
      tokens,
      authorize,
      introspection,
      tokenRevocation,
      verifyAccessToken,
      revocationHub: hub,
      /** Clients, APIs and role grants read by token requests (app/config-cache.ts). */
      configCache: cached,
      adminBootstrap,
      mfa,
      webauthn,
    },
    cookie,
    logger,
    masterKeyGenerated: master.generated,
    /** The HTTP application, built on first use so CLI commands that need no HTTP stay light. */
    async app(): Promise<FastifyInstance> {
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
        console: await loadConsoleAssets(runtime.consoleDir ?? DEFAULT_CONSOLE_DIR, config.issuer),
        db: database.db,
        dpop,
        issuer: config.issuer,
        auth,
        sessions,
        keys,
        tokens,
        introspection,
        tokenRevocation,
        authenticateClient,
        jwksMaxAge: config.keys.jwksMaxAge,
        revocationHub: hub,
        revocationLog: stores.revocations,
        clock,
        feedHeartbeatIntervalMs: config.feed.heartbeatInterval * 1000,
        cookie,
        policy: sessionPolicy,
        trustedOrigins,
        trustProxy: config.trustProxy,
        bodyLimit: config.http.bodyLimit,
        rateLimit: { max: config.rateLimit.credentialRequestsPerIp, timeWindow: config.rateLimit.window * 1000 },
        metrics,
        tracing,
        draining: () => draining,
        accounts,
        defaultLocale: config.defaultLocale,
        accountCsrfKey: subkey(master.key, 'ui-account-csrf'),
        resetLinkMinutes: Math.round(config.email.resetLinkTtl / 60),
        expectedFailure: (code, cause) => failures.note(code, cause),
        rateLimitCounter,
        cors: {
          issuerOrigin: new URL(config.issuer).origin,
          findApplication: applications.find,
          isOriginOfAnyApplication: stores.applications.hasWebOrigin,
          clientOfAccessToken: async (token) => (await verifyAccessToken(token))?.clientId ?? null,
        },
        admin: {
          activeAccessToken: introspection.activeAccessToken,
          users,
          sessions,
          applications,
          apis,
          keys,
          roles,
          audit,
          webhooks: webhooks.service,
          connections: connections.service,
          email: email.service,
          accounts,
          userStore: stores.users,
          stats,
          settings: () => ({
            version: SERVER_VERSION,
            node: process.version,
            database: database.dialect,
            redis: Boolean(config.redisUrl),
            settings: publicSettings(config),
          }),
          mfa,
        },
        mfa: { mfa, webauthn, policy: config.mfa.policy },
        device: {
          service: deviceAuthorizations,
          csrfKey: subkey(master.key, 'ui-device-csrf'),
          secondFactorRequired: (clientId) => secondFactors.required(clientId),
          attempts: {
            perSession: config.deviceFlow.entriesPerSession,
            perIp: config.deviceFlow.entriesPerIp,
            windowMs: config.deviceFlow.entryWindow * 1000,
          },
        },
        connections: { ...connections, csrfKey: subkey(master.key, 'account-connections-csrf') },
        oidc: {
          secondFactors,
          authorize,
          applications,
          apis,
          verifyAccessToken,
          stores,
          random,
          logout,
          userinfoAudience: userinfo.identifier,
          flows,
          login,
          transact,
          pushedRequests,
        },
      })
      return app
    },
    /** Applies the key schedule now and then every minute, until close (the server does this; CLI commands do not). */
    async startBackgroundTasks(): Promise<void> {
      await keys.maintain()
      await hub.currentSeq()
      // First, since it may fail (Redis unreachable): nothing else is started yet when it throws.
      signals = await startRevocationSignals({
        wake: () => {
          cached.invalidate()
          hub.signal().catch(backgroundFailure('revocation hub'))
        },
        logger,
        pollIntervalMs: config.feed.pollInterval,
        ...(database.connectionString ? { postgresUrl: database.connectionString } : {}),
        ...(config.redisUrl ? { redisUrl: config.redisUrl, redisOptional: config.redisOptional } : {}),
      })
      // Redis answered the signals just now; should it fail here, limits are counted in the database.
      rateLimitRedis?.connect().catch(() => undefined)
      // From here every change, here or on another instance, reaches the cache within the feed's lag.
      cached.enable()
      maintenance = setInterval(() => {
        keys.maintain().catch(backgroundFailure('key maintenance'))
      }, KEY_MAINTENANCE_INTERVAL_MS)
      maintenance.unref()
      auditProjection = setInterval(() => {
        if (projecting) return
        projecting = audit
          .catchUp()
          .catch(backgroundFailure('audit projection'))
          .finally(() => {
            projecting = null
          })
      }, AUDIT_PROJECTION_INTERVAL_MS)
      auditProjection.unref()
      webhookLoop = startDispatchLoop({
        tick: webhooks.dispatcher.tick,
        intervalMs: DISPATCH_INTERVAL_MS,
        onError: backgroundFailure('webhook dispatch'),
      })
      backchannelLoop = startDispatchLoop({
        tick: backchannel.tick,
        intervalMs: DISPATCH_INTERVAL_MS,
        onError: backgroundFailure('back-channel logout dispatch'),
      })
      if (config.housekeeping.interval > 0) {
        housekeepingLoop = startDispatchLoop({
          tick: housekeeping.run,
          intervalMs: config.housekeeping.interval * 1000,
          onError: backgroundFailure('housekeeping'),
        })
      }
      if (email.dispatcher) {
        emailLoop = startDispatchLoop({
          tick: email.dispatcher.tick,
          intervalMs: DISPATCH_INTERVAL_MS,
          onError: backgroundFailure('email dispatch'),
        })
      }
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
      // Behind a load balancer: fail /readyz first, keep serving until the balancer has noticed.
      if (app && config.http.shutdownDelay > 0 && !draining) {
        draining = true
        await new Promise((resolve) => setTimeout(resolve, config.http.shutdownDelay * 1000))
      }
      draining = true
      await metricsServer?.close()
      if (maintenance) clearInterval(maintenance)
      if (auditProjection) clearInterval(auditProjection)
      await projecting
      await webhookLoop?.stop()
      await emailLoop?.stop()
      await backchannelLoop?.stop()
      await housekeepingLoop?.stop()
      email.close()
      cached.disable()
      await signals?.close()
      rateLimitRedis?.close()
      await app?.close()
      await tracing?.shutdown()
      // A revocation written just before (a CLI command) signals the hub after its commit: let that
      // read finish rather than fail on a destroyed pool.
      await hub.idle()
      await database.db.destroy()
      failures.close()
    },
  }
}

export type Tessera = Awaited<ReturnType<typeof createTessera>>
