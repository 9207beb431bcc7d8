import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { systemClock } from '../shared/clock.js'
import type { AuthContext } from '../verifier/auth-context.js'
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
  const replay = createProofReplayCache()
  const clock = options.clock ?? systemClock
  const { scopes, maxAge, acr } = options
  const verifyOptions = {
    ...(scopes ? { scopes } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(acr !== undefined ? { acr } : {}),
  }
  return async (request: RequestParts): Promise<AuthContext> => {
    const { scheme, token } = readAccessToken(request.authorization)
    const auth = await verifier.verify(token, verifyOptions)
    const jkt = auth.claims.cnf?.jkt
    if (jkt === undefined) {
      // RFC 9449 §7.1: the DPoP scheme is for bound tokens only; a bearer token where DPoP is required is refused.
      if (scheme === 'DPoP') throw new TesseraAuthError('invalid_dpop_proof', { detail: 'the token is not DPoP-bound' })
      if (options.dpop === 'required') throw new TesseraAuthError('dpop_required')
      return auth
    }
    // A bound token sent as a bearer token is exactly the theft DPoP exists to stop.
    if (scheme !== 'DPoP') throw new TesseraAuthError('invalid_dpop_proof', { detail: 'a DPoP-bound token needs Authorization: DPoP' })
    await checkResourceProof(request.dpop, {
      method: request.method,
      url: htu(request.url, options.publicOrigin),
      token,
      jkt,
      now: clock.now(),
      replay: replay as ProofReplayCache,
    })
    return auth
  }
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
