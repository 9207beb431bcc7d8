import { createHash } from 'node:crypto'
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, type JWK, jwtVerify } from 'jose'
import { TesseraAuthError } from '../errors/tessera-auth-error.js'

/** RFC 9449 §5.1: the asymmetric algorithms Tessera accepts in proofs, and so does the SDK. */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const

const MAX_AGE_MS = 60_000
const FUTURE_LEEWAY_MS = 5_000
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']
const MAX_REMEMBERED = 50_000

/**
 * The proofs one resource server has accepted, until they are too old to be accepted anyway
 * (RFC 9449 §11.1). In memory: each instance of a resource server keeps its own.
 *
 * @example
 * const seen = createProofReplayCache()
 */
export function createProofReplayCache() {
  const seen = new Map<string, number>()
  return {
    /** False when the proof was accepted before. */
    remember(key: string, now: number): boolean {
      if (seen.size >= MAX_REMEMBERED) for (const [each, until] of seen) if (until <= now || seen.size >= MAX_REMEMBERED) seen.delete(each)
      const until = seen.get(key)
      if (until !== undefined && until > now) return false
      seen.set(key, now + MAX_AGE_MS + FUTURE_LEEWAY_MS)
      return true
    },
  }
}

export type ProofReplayCache = ReturnType<typeof createProofReplayCache>

/**
 * RFC 9449 §4.3 and §7.1 at a resource server: the `DPoP` header holds one proof, signed by the key
 * the token is bound to (`cnf.jkt`), for this method and URL, recent, carrying the token's hash
 * (`ath`), never seen before. Any failure is `invalid_dpop_proof`.
 *
 * @example
 * await checkResourceProof(req.headers.dpop, { method: 'GET', url: 'https://api.example.com/orders', token, jkt, now: Date.now(), replay })
 */
export async function checkResourceProof(
  header: string | readonly string[] | null | undefined,
  expect: { method: string; url: string; token: string; jkt: string; now: number; replay: ProofReplayCache },
): Promise<void> {
  if (typeof header !== 'string' || header.length > 4096 || !COMPACT_JWS.test(header)) throw invalid('send one DPoP proof')
  let jwk: JWK | undefined
  try {
    const protectedHeader = decodeProtectedHeader(header)
    jwk = protectedHeader.jwk as JWK | undefined
  } catch {
    throw invalid('the DPoP proof header is malformed')
  }
  if (!jwk || typeof jwk !== 'object' || PRIVATE_MEMBERS.some((member) => member in jwk)) throw invalid('jwk must be a public key')
  let payload: Record<string, unknown>
  try {
    ;({ payload } = await jwtVerify(header, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGORITHMS] }))
  } catch {
    throw invalid('the DPoP proof does not verify')
  }
  if ((await calculateJwkThumbprint(jwk, 'sha256')) !== expect.jkt)
    throw invalid('the proof is signed by another key than the token is bound to')
  const { jti, htm, htu, iat, ath } = payload
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw invalid('jti is missing')
  if (htm !== expect.method) throw invalid('htm does not match the request')
  if (typeof htu !== 'string' || withoutQuery(htu) !== withoutQuery(expect.url)) throw invalid('htu does not match the request')
  if (
    typeof iat !== 'number' ||
    !Number.isFinite(iat) ||
    iat * 1000 > expect.now + FUTURE_LEEWAY_MS ||
    iat * 1000 < expect.now - MAX_AGE_MS
  ) {
    throw invalid('the proof is too old or from the future')
  }
  if (ath !== createHash('sha256').update(expect.token, 'ascii').digest('base64url')) throw invalid('ath does not match the access token')
  if (!expect.replay.remember(`${expect.jkt}:${jti}`, expect.now)) throw invalid('the proof was used before')
}

/** RFC 9449 §4.3 step 9: without query and fragment; scheme and host case-insensitive. */
function withoutQuery(value: string): string | null {
  try {
    const url = new URL(value)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return null
  }
}

function invalid(detail: string): TesseraAuthError {
  return new TesseraAuthError('invalid_dpop_proof', { detail })
}
