import { fetchIssuerEndpoints, type IssuerEndpoints } from '../discovery/issuer-endpoints.js'
import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { checkIntrospectedClaims } from '../introspection/check-introspected-claims.js'
import { createIntrospection, type Introspect } from '../introspection/introspection-client.js'
import { createJwksCache } from '../jwks/jwks-cache.js'
import { startRevocationFeed } from '../revocation/revocation-feed.js'
import { createRevocationSet } from '../revocation/revocation-set.js'
import { checkSession } from '../sessions/session-check.js'
import { basicAuthorization } from '../shared/basic-authorization.js'
import { cachedLoad } from '../shared/cached-load.js'
import { fetchIssuerRequest } from '../shared/issuer-request.js'
import { createNodeIssuerRequest } from '../shared/node-issuer-request.js'
import { createJwtVerifier } from '../tokens/jwt-verifier.js'
import { createTokenOpener } from '../tokens/token-decryption.js'
import { type AuthContext, authContextFromClaims } from './auth-context.js'
import { checkAuthenticationStrength } from './authentication-strength.js'
import { isBearerTokenSyntax } from './bearer-syntax.js'
import { registerCachedVerification } from './cached-verification.js'
import { checkScopes } from './check-scopes.js'
import { createHybridCheck } from './hybrid-check.js'
import { createLocalVerification, type LocallyVerified } from './local-verification.js'
import type { Verifier, VerifyOptions } from './verifier.js'
import { resolveVerifierOptions, type VerifierOptions } from './verifier-options.js'

/** After a failed discovery, wait this long before asking again. */
const DISCOVERY_RETRY = 1000

/**
 * Create the verifier of one API. It discovers Tessera's endpoints from
 * `<issuer>/.well-known/openid-configuration` and starts warming up at once (keys; in hybrid mode
 * the revocation feed), so the first request finds it ready.
 *
 * @example
 * import { createVerifier, TesseraAuthError } from '@tessera/sdk'
 *
 * const verifier = createVerifier({
 *   issuer: 'https://id.example.com',
 *   audience: 'https://api.example.com',
 *   mode: 'hybrid',
 *   client: { id: process.env.TESSERA_CLIENT_ID ?? '', secret: process.env.TESSERA_CLIENT_SECRET ?? '' },
 * })
 * try {
 *   const auth = await verifier.verify(token, { scopes: ['orders:read'] })
 *   console.log(`user ${auth.subject} in session ${auth.sessionId}`)
 * } catch (error) {
 *   if (error instanceof TesseraAuthError) console.log(error.code, error.status)
 * }
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const config = resolveVerifierOptions(options)
  const { issuer, audience, mode, clock, leeway } = config
  const requestDeps = { fetch: config.fetch, requestTimeout: config.requestTimeout }
  const discovery = cachedLoad(() => fetchIssuerEndpoints(requestDeps, issuer), { clock, retryAfter: DISCOVERY_RETRY })
  const endpoint = (name: keyof IssuerEndpoints, what: string) => async () => {
    const url = (await discovery.get())[name]
    if (!url) throw new TesseraAuthError('verifier_unavailable', { detail: `the issuer advertises no ${what}` })
    return url
  }
  const authorization = config.client ? basicAuthorization(config.client) : null
  // Introspection (every request in session mode) and the session check (every request of an app
  // on Tessera sessions) go over node:http with keep-alive agents the verifier owns, shared by
  // both, unless the user injected a fetch (a proxy, a test): then through that fetch. Discovery,
  // JWKS and the revocation feed stay on fetch: rare requests, or one long stream
  // (docs/architecture.md §12). The agents open no connection before the first request.
  const nodeRequest = options.fetch ? null : createNodeIssuerRequest({ requestTimeout: config.requestTimeout })
  const send = nodeRequest?.send ?? fetchIssuerRequest(requestDeps)
  const introspect: Introspect | null = authorization
    ? createIntrospection({
        send,
        authorization,
        endpoint: endpoint('introspectionEndpoint', 'introspection_endpoint'),
      })
    : null

  const jwks = createJwksCache({
    ...requestDeps,
    clock,
    jwksUri: endpoint('jwksUri', 'jwks_uri'),
    cooldown: config.jwksCooldown,
    maxAge: config.jwksMaxAge,
  })
  const verifyLocally = createLocalVerification({
    open: createTokenOpener(config.encryption),
    verifyJwt: createJwtVerifier({ issuer, audience, clock, leeway, jwks }),
    jwks,
    clock,
    leeway,
    cacheSize: config.cacheSize,
  })

  const set = createRevocationSet()
  const feed =
    mode === 'hybrid' && authorization
      ? startRevocationFeed({
          url: endpoint('revocationFeedEndpoint', 'revocation_feed_endpoint'),
          authorization,
          fetch: config.fetch,
          clock,
          set,
          connectTimeout: config.requestTimeout,
          idleTimeout: Math.max(1000, config.maxStaleness / 2),
          reconnect: config.reconnect,
          onError: config.onFeedError,
        })
      : null
  const checkHybrid = feed
    ? createHybridCheck({
        feed,
        set,
        maxStaleness: config.maxStaleness,
        introspect: config.onStale === 'introspect' ? introspect : null,
        startupWait: Math.min(config.maxStaleness, config.requestTimeout),
      })
    : null

  let closed = false

  async function verifyByIntrospection(token: string): Promise<AuthContext> {
    if (!introspect || !isBearerTokenSyntax(token)) throw new TesseraAuthError('invalid_token', { detail: 'not a bearer token' })
    const answer = await introspect(token)
    if (!answer.active) throw new TesseraAuthError('invalid_token', { detail: 'inactive at introspection' })
    return authContextFromClaims(checkIntrospectedClaims(answer.claims, { issuer, audience, now: clock.now(), leeway }))
  }

  /** Scopes and authentication strength: what the route asks of a verified token. */
  function authorize(context: AuthContext, verifyOptions: VerifyOptions, now: number): AuthContext {
    checkScopes(context, verifyOptions.scopes)
    if (verifyOptions.maxAge !== undefined || verifyOptions.acr !== undefined)
      checkAuthenticationStrength(context, verifyOptions, now, leeway)
    return context
  }

  /**
   * Everything after local verification, cache hit or not. Settles without a promise on the
   * common path (a fresh feed): each promise is a microtask turn on every request. `now` is read
   * once per request (the clock was a visible item of a cached request's profile).
   */
  function finish(token: string, verified: LocallyVerified, verifyOptions: VerifyOptions, now: number): AuthContext | Promise<AuthContext> {
    const hybrid = checkHybrid?.(token, verified, now)
    if (hybrid) return hybrid.then(() => authorize(verified.context, verifyOptions, clock.now()))
    return authorize(verified.context, verifyOptions, now)
  }

  async function verify(token: string, verifyOptions: VerifyOptions = {}): Promise<AuthContext> {
    try {
      if (closed) throw new TesseraAuthError('verifier_unavailable', { detail: 'the verifier is closed' })
      if (typeof token !== 'string') throw new TesseraAuthError('invalid_token', { detail: 'not a string' })
      if (mode === 'session') return authorize(await verifyByIntrospection(token), verifyOptions, clock.now())
      const now = clock.now()
      const local = verifyLocally(token, now)
      // A verification that had to wait (keys, decryption) is checked against the clock after it.
      if (local instanceof Promise) return finish(token, await local, verifyOptions, clock.now())
      return finish(token, local, verifyOptions, now)
    } catch (error) {
      // A refusal decided at once would reject the returned promise before the caller could attach
      // its handler, and Node books every such rejection as possibly unhandled until the handler
      // comes (~2 µs a refusal); one microtask turn first, and the handler is there (docs/architecture.md §9).
      await undefined
      throw error
    }
  }

  function verifyCached(token: string, verifyOptions: VerifyOptions): AuthContext | Promise<AuthContext> | undefined {
    if (closed || mode === 'session') return undefined
    const now = clock.now()
    const hit = verifyLocally.cached(token, now)
    return hit && finish(token, hit, verifyOptions, now)
  }

  async function ready(): Promise<void> {
    if (mode === 'session') {
      await endpoint('introspectionEndpoint', 'introspection_endpoint')()
      return
    }
    await jwks.load()
    if (feed) {
      await feed.settled(config.maxStaleness)
      if (feed.staleness() > config.maxStaleness) {
        throw new TesseraAuthError('stale_revocation_feed', { detail: feed.lastError() ?? 'no snapshot yet', retryAfter: 1 })
      }
    }
  }

  // Warm up in the background; failures surface on the first verify (and through onFeedError).
  if (mode !== 'session')
    void discovery
      .get()
      .then(() => jwks.load())
      .catch(() => {})

  const verifier: Verifier = {
    issuer,
    audience,
    mode,
    verify,
    verifySession(sessionToken) {
      if (!isBearerTokenSyntax(sessionToken))
        return Promise.reject(new TesseraAuthError('invalid_token', { detail: 'not a session token' }))
      return checkSession({ send, issuer }, sessionToken)
    },
    staleness() {
      if (feed) return feed.staleness()
      return mode === 'session' ? 0 : Number.POSITIVE_INFINITY
    },
    ready,
    async close() {
      closed = true
      nodeRequest?.close()
      await feed?.close()
    },
  }
  registerCachedVerification(verifier, verifyCached)
  return verifier
}
