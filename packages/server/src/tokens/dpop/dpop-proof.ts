import { createHash } from 'node:crypto'
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, type JWK, jwtVerify } from 'jose'
import { TesseraError } from '../../shared/errors.js'

/** RFC 9449 §5.1 and discovery's `dpop_signing_alg_values_supported`: asymmetric algorithms only. */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const

/** RFC 9449 §11.1: a proof is fresh for a short time; a little leeway for clocks ahead of ours. */
export const DPOP_PROOF_MAX_AGE_MS = 60_000
export const DPOP_PROOF_FUTURE_LEEWAY_MS = 5_000

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const MAX_PROOF_LENGTH = 4096
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']

export interface ProofExpectation {
  /** The request's method (`htm`). */
  method: string
  /** The request's URL without query or fragment (`htu`). */
  url: string
  now: number
  /** Presented with an access token (a resource request): the proof must carry its hash (`ath`). */
  accessToken?: string
}

export interface CheckedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: what `cnf.jkt` binds to. */
  jkt: string
  jti: string
  /** Milliseconds. */
  iat: number
  nonce: string | null
}

/**
 * RFC 9449 §4.3: the checks of a DPoP proof, in order. The proof is a JWT of `typ: dpop+jwt`,
 * signed with an asymmetric algorithm by the public key in its own `jwk` header (no private
 * members), whose `htm` and `htu` are this request's, whose `iat` is recent, which carries a `jti`,
 * and `ath` when it accompanies an access token. The replay and nonce checks are the caller's.
 */
export async function checkDpopProof(proof: string, expect: ProofExpectation): Promise<CheckedProof> {
  if (proof.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(proof)) throw invalid('the DPoP proof is not a compact JWS')
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(proof)
  } catch {
    throw invalid('the DPoP proof header is malformed')
  }
  if (header.typ !== 'dpop+jwt') throw invalid('typ must be dpop+jwt')
  if (!(DPOP_ALGORITHMS as readonly string[]).includes(String(header.alg))) throw invalid('unsupported alg')
  const jwk = header.jwk as JWK | undefined
  if (!jwk || typeof jwk !== 'object' || PRIVATE_MEMBERS.some((member) => member in jwk)) throw invalid('jwk must be a public key')
  let payload: Record<string, unknown>
  try {
    // The signature is checked with the embedded key; the claims below, by hand (jose's own time checks are not these).
    ;({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGORITHMS] }))
  } catch {
    throw invalid('the DPoP proof signature does not verify')
  }
  const { jti, htm, htu, iat, ath, nonce } = payload
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw invalid('jti is missing')
  if (htm !== expect.method) throw invalid('htm does not match the request')
  if (typeof htu !== 'string' || normalizeHtu(htu) !== normalizeHtu(expect.url)) throw invalid('htu does not match the request')
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('iat is missing')
  const issuedAt = iat * 1000
  if (issuedAt > expect.now + DPOP_PROOF_FUTURE_LEEWAY_MS || issuedAt < expect.now - DPOP_PROOF_MAX_AGE_MS) {
    throw invalid('the DPoP proof is too old or from the future')
  }
  if (expect.accessToken !== undefined) {
    // RFC 9449 §4.3 step 12: ath is the base64url SHA-256 of the access token.
    if (ath !== accessTokenHash(expect.accessToken)) throw invalid('ath does not match the access token')
  }
  if (nonce !== undefined && typeof nonce !== 'string') throw invalid('nonce is malformed')
  return { jkt: await calculateJwkThumbprint(jwk, 'sha256'), jti, iat: issuedAt, nonce: (nonce as string | undefined) ?? null }
}

export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url')
}

/** RFC 9449 §4.3 step 9: compared without query and fragment; scheme and host are case-insensitive (RFC 3986 §6.2.2). */
function normalizeHtu(value: string): string | null {
  try {
    const url = new URL(value)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return null
  }
}

function invalid(detail: string): TesseraError {
  return new TesseraError('invalid_dpop_proof', { detail })
}
