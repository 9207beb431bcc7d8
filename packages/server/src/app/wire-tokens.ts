import { createAuthorizeService } from '../authorize/authorize-service.js'
import { createDeviceAuthorizationService } from '../authorize/device-authorization-service.js'
import { createPushedRequestService } from '../authorize/pushed-request-service.js'
import { subkey } from '../keys/master-key-check.js'
import { createClientAuthentication } from '../oauth/client-authentication.js'
import { createLogoutService } from '../oauth/logout-service.js'
import type { SessionService } from '../sessions/session-service.js'
import type { OpenDatabase } from '../store/open-database.js'
import type { RedisConnection } from '../store/redis-connection.js'
import { createAccessTokenIssuer } from '../tokens/access-token-issuer.js'
import { createAccessTokenVerifier } from '../tokens/access-token-verifier.js'
import { createDpopCheck } from '../tokens/dpop/dpop-check.js'
import { createDpopNonces } from '../tokens/dpop/dpop-nonce.js'
import { createDpopReplayStore, createRedisDpopReplayStore } from '../tokens/dpop/dpop-replay-store.js'
import { createTokenGrants } from '../tokens/grants/token-grants.js'
import { createIdTokenIssuer } from '../tokens/id-token-issuer.js'
import { createIntrospectionService } from '../tokens/introspection-service.js'
import { createTokenRevocationService } from '../tokens/token-revocation-service.js'
import { userinfoApi } from '../tokens/userinfo-api.js'
import type { Catalogue } from './wire-catalogue.js'
import type { Wiring } from './wiring.js'

export interface TokenWiringDeps {
  catalogue: Catalogue
  sessions: SessionService
  database: OpenDatabase
  /** Where DPoP proofs are remembered when Redis is configured (wire-rate-limits.ts). */
  redis: RedisConnection | undefined
}

/**
 * The OAuth 2.0 / OpenID Connect side: authorization requests, token grants, DPoP, introspection,
 * revocation, client authentication and RP-initiated logout.
 */
export function wireTokens(wiring: Wiring, { catalogue, sessions, database, redis }: TokenWiringDeps) {
  const { config, clock, random, stores, transact, recorder, masterKey, policies } = wiring
  const { keys, apis, applications, cache } = catalogue
  const accessTokens = createAccessTokenIssuer({
    issuer: config.issuer,
    keys,
    clock,
    random,
    offLoopInTransaction: database.dialect === 'postgres',
  })
  const verifyAccessToken = createAccessTokenVerifier({ issuer: config.issuer, keys, clock })
  const userinfo = userinfoApi(config.issuer)
  const tokens = createTokenGrants({
    transact,
    stores,
    clock,
    random,
    issuer: config.issuer,
    sessions,
    sessionPolicy: policies.session,
    apis: cache.apis,
    roles: cache.roles,
    accessTokens,
    idTokens: createIdTokenIssuer({ keys, clock }),
    refreshPolicy: policies.refresh,
    successorKey: subkey(masterKey, 'refresh-token-successor'),
    maxAccessTokenTtl: config.tokens.maxAccessTokenTtl,
    requireVerifiedEmail: config.signUp.requireVerifiedEmail,
    userinfoApi: userinfo,
    metrics: recorder,
  })
  // RFC 9449: DPoP proofs are remembered where every instance sees them (Redis when configured, else
  // the database), and nonces, when required, are HMACs every instance can check.
  const dpopDatabaseReplay = createDpopReplayStore(database.db)
  const dpopNonces = config.tokens.dpopNonce ? createDpopNonces(subkey(masterKey, 'dpop-nonce')) : null
  const dpop = {
    check: createDpopCheck({
      replay: redis ? createRedisDpopReplayStore(redis.redis, dpopDatabaseReplay, clock) : dpopDatabaseReplay,
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
    userCodeKey: subkey(masterKey, 'device-user-code'),
    issuer: config.issuer,
    policy: { lifetimeSeconds: config.deviceFlow.codeLifetime, intervalSeconds: config.deviceFlow.interval },
    findApplication: (clientId) => applications.find(clientId),
    findApi: (identifier) => apis.find(identifier),
  })
  const logout = createLogoutService({ issuer: config.issuer, keys, applications, sessions })
  const introspection = createIntrospectionService({
    stores,
    clock,
    issuer: config.issuer,
    sessions,
    verifyAccessToken,
    refreshPolicy: policies.refresh,
    applications: cache.applications,
    clientCutoffs: cache.revocations,
    apiCutoffs: cache.revocations,
    apiExists: async (identifier) => (await cache.apis.find(identifier)) !== null,
    held: cache.held,
  })
  const tokenRevocation = createTokenRevocationService({ transact, clock, verifyAccessToken })
  const authenticateClient = createClientAuthentication({
    applications: { find: cache.applications.find, held: cache.held.application, secretMatches: applications.secretMatches },
    stores,
    transact,
    clock,
    throttlePolicy: policies.throttle,
  })
  return {
    verifyAccessToken,
    userinfo,
    tokens,
    dpop,
    authorize,
    pushedRequests,
    deviceAuthorizations,
    logout,
    introspection,
    tokenRevocation,
    authenticateClient,
  }
}

export type TokenWiring = ReturnType<typeof wireTokens>
