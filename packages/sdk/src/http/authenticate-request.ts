import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { systemClock } from '../shared/clock.js'
import type { AuthContext } from '../verifier/auth-context.js'
import { cachedVerificationOf } from '../verifier/cached-verification.js'
import { readBearerToken } from './bearer-token.js'
import { checkResourceProof, createProofReplayCache, type ProofReplayCache } from './dpop-proof.js'
import type { BearerVerifier, RequireAuthOptions } from './require-auth-options.js'

/** What the adapters read of a request. */
export interface RequestParts {
  method: string
  /**
   * The request's absolute URL as this server sees it (protocol, Host, path), or a function that
   * builds it: only a DPoP proof needs it, so an adapter need not build it for every bearer request.
   */
  url: string | (() => string)
  authorization: string | readonly string[] | null | undefined
  dpop: string | readonly string[] | null | undefined
}

/** RFC 9449 §7.1: `DPoP` (any case), one or more spaces, one b64token. */
const DPOP_SCHEME = /^DPoP +([A-Za-z0-9\-._~+/]+=*)$/i

const BEARER_PREFIX = 'Bearer '.length

/**
 * Read the access token of a request's `Authorization` header (`Bearer`, or `DPoP` with a proof)
 * and verify it: the adapters' shared core. One per `requireAuth`, so its proofs' replay cache is
 * the route's.
 *
 * @example
 * const authenticate = createRequestAuthenticator(verifier, { scopes: ['orders:read'] })
 * const auth = await authenticate({ method: 'GET', url: 'https://api.example.com/orders', authorization, dpop })
 */
export function createRequestAuthenticator(verifier: BearerVerifier, options: RequireAuthOptions) {
  const { cached, full } = createEagerAuthenticator(verifier, options)
  return async (request: RequestParts): Promise<AuthContext> => cached(request.authorization) ?? full(request)
}

/**
 * The same in two steps. `cached` answers from the header alone a token the verifier already holds
 * as verified, without a promise on a fresh feed, and throws its errors at once; it is undefined
 * for any other request, which `full` parses and verifies (rejecting with its errors). A cached
 * token on a fresh feed is the common request: each promise is a microtask turn, and the adapter
 * builds the request's parts only for `full` (docs/architecture.md §9, SDK rows).
 *
 * @example
 * const { cached, full } = createEagerAuthenticator(verifier, {})
 * const auth = cached(authorization) ?? full(parts())
 * if (auth instanceof Promise) auth.then(next, fail)
 */
export function createEagerAuthenticator(verifier: BearerVerifier, options: RequireAuthOptions) {
  const replay = createProofReplayCache()
  const clock = options.clock ?? systemClock
  const { scopes, maxAge, acr } = options
  const verifyOptions = {
    ...(scopes ? { scopes } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(acr !== undefined ? { acr } : {}),
  }
  const cached = cachedVerificationOf(verifier)

  function asBearer(auth: AuthContext): AuthContext {
    // RFC 9449 §7.1: the DPoP scheme is for bound tokens only; a bound token sent as a bearer token
    // is exactly the theft DPoP exists to stop.
    if (auth.claims.cnf?.jkt !== undefined)
      throw new TesseraAuthError('invalid_dpop_proof', { detail: 'a DPoP-bound token needs Authorization: DPoP' })
    if (options.dpop === 'required') throw new TesseraAuthError('dpop_required')
    return auth
  }

  async function verifyParsed(request: RequestParts, scheme: 'Bearer' | 'DPoP', token: string): Promise<AuthContext> {
    const auth = await verifier.verify(token, verifyOptions)
    const jkt = auth.claims.cnf?.jkt
    if (jkt === undefined && scheme === 'DPoP') throw new TesseraAuthError('invalid_dpop_proof', { detail: 'the token is not DPoP-bound' })
    if (scheme === 'Bearer') return asBearer(auth)
    await checkResourceProof(request.dpop, {
      method: request.method,
      url: htu(request.url, options.publicOrigin),
      token,
      jkt: jkt as string,
      now: clock.now(),
      replay: replay as ProofReplayCache,
    })
    return auth
  }

  function fromCache(authorization: RequestParts['authorization']): AuthContext | Promise<AuthContext> | undefined {
    // A token the verifier already holds as verified is base64url and dots, so `Bearer ` + it is
    // exactly a header BEARER accepts: the scan of several hundred characters was the largest SDK
    // cost of a cached request (docs/architecture.md §9). Anything else is parsed in full below.
    if (cached !== undefined && typeof authorization === 'string' && authorization.startsWith('Bearer ')) {
      const auth = cached(authorization.slice(BEARER_PREFIX), verifyOptions)
      if (auth !== undefined) return auth instanceof Promise ? auth.then(asBearer) : asBearer(auth)
    }
    return undefined
  }

  function full(request: RequestParts): Promise<AuthContext> {
    let parsed: { scheme: 'Bearer' | 'DPoP'; token: string }
    try {
      parsed = readAccessToken(request.authorization)
    } catch (error) {
      return Promise.reject(error)
    }
    return verifyParsed(request, parsed.scheme, parsed.token)
  }

  return { cached: fromCache, full }
}

function readAccessToken(authorization: RequestParts['authorization']): { scheme: 'Bearer' | 'DPoP'; token: string } {
  if (typeof authorization === 'string') {
    const match = DPOP_SCHEME.exec(authorization.trim())
    if (match) return { scheme: 'DPoP', token: match[1] as string }
  }
  return { scheme: 'Bearer', token: readBearerToken(authorization) }
}

function htu(requestUrl: RequestParts['url'], publicOrigin: string | undefined): string {
  const url = typeof requestUrl === 'function' ? requestUrl() : requestUrl
  if (publicOrigin === undefined) return url
  const parsed = new URL(url)
  return `${publicOrigin.replace(/\/$/, '')}${parsed.pathname}`
}
