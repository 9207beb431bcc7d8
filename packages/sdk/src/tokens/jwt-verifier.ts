import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { JwksCache } from '../jwks/jwks-cache.js'
import type { PublishedKey } from '../jwks/published-keys.js'
import type { Clock } from '../shared/clock.js'
import type { AccessTokenClaims } from './access-token-claims.js'
import { checkClaims } from './check-claims.js'
import { type CheckedHeader, checkHeader } from './check-header.js'
import { type CompactJws, decodedLength, decodeHeader, MAX_TOKEN_LENGTH, parseCompactJws } from './compact-jws.js'

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** An access token whose form, header, signature and claims all passed. */
export interface VerifiedJwt {
  claims: AccessTokenClaims
  /** The header `kid`: key revocations name it. */
  kid: string
}

export interface JwtVerifierDeps {
  issuer: string
  audience: string
  clock: Clock
  /** Seconds. */
  leeway: number
  jwks: JwksCache
}

/**
 * Verify one access token strictly; throws a `TesseraAuthError`. Settles without a promise when
 * the key its `kid` names is already at hand (every token after the first JWKS fetch, but for a
 * rotation): the cold path then costs no turn of the microtask queue.
 */
export type JwtVerifier = (token: string) => VerifiedJwt | Promise<VerifiedJwt>

/**
 * Strict RFC 9068 / RFC 8725 verification: the compact form and size first, then the header
 * rules, then the signature with the published key the `kid` names and only that key's `alg`,
 * then the claims.
 *
 * Nothing of the token is copied out as a string: the signing input, the signature and the
 * payload are decoded into one working buffer per verifier, used synchronously from the write to
 * the last read (no await in between, so no other verification can interleave).
 */
export function createJwtVerifier(deps: JwtVerifierDeps): JwtVerifier {
  const scratch = Buffer.allocUnsafe(MAX_TOKEN_LENGTH)
  // The checked header of the last token whose header passed. A header is the same for every
  // token one key signs, and checking it is a pure function of its text: a token with the same
  // header text gets the same answer without decoding it again.
  let lastHeader: { text: string; checked: CheckedHeader } | null = null

  function readHeader(jws: CompactJws): CheckedHeader {
    const { token, headerEnd } = jws
    if (lastHeader !== null && lastHeader.text.length === headerEnd && token.startsWith(lastHeader.text)) return lastHeader.checked
    const header = decodeHeader(jws)
    if (!header) throw new TesseraAuthError('invalid_token', { detail: 'not a compact JWS' })
    const checked = checkHeader(header)
    lastHeader = { text: token.slice(0, headerEnd), checked }
    return checked
  }

  function verifyWithKey(jws: CompactJws, alg: string, kid: string, key: PublishedKey | null): VerifiedJwt {
    if (!key) throw new TesseraAuthError('invalid_token', { detail: 'unknown kid' })
    // RFC 8725 §3.1: the key's own algorithm, so HS256 "signed" with a public key never reaches a MAC.
    if (key.alg !== alg) throw new TesseraAuthError('invalid_token', { detail: 'algorithm does not match the key' })
    if (!checkSignature(scratch, jws, key)) throw new TesseraAuthError('invalid_token', { detail: 'bad signature' })
    let parsed: unknown
    try {
      parsed = decodePayload(scratch, jws)
    } catch {
      throw new TesseraAuthError('invalid_token', { detail: 'the payload is not JSON' })
    }
    const claims = checkClaims(parsed, { issuer: deps.issuer, audience: deps.audience, now: deps.clock.now(), leeway: deps.leeway })
    return { claims, kid }
  }

  return function verifyJwt(token) {
    const jws = parseCompactJws(token)
    if (!jws) throw new TesseraAuthError('invalid_token', { detail: 'not a compact JWS' })
    const { alg, kid } = readHeader(jws)
    const known = deps.jwks.get(kid)
    if (known) return verifyWithKey(jws, alg, kid, known)
    // Not fetched yet, or a kid we do not know: the JWKS cache fetches (at most once per cooldown).
    return deps.jwks.find(kid).then((key) => verifyWithKey(jws, alg, kid, key))
  }
}

/**
 * The signature over `header.payload` with `key` (RFC 7515 §5.2). The form was checked (canonical
 * base64url, three parts), so the signature decodes to exactly `decodedLength` bytes.
 */
function checkSignature(scratch: Buffer, jws: CompactJws, key: PublishedKey): boolean {
  const { token, payloadEnd } = jws
  const signatureLength = decodedLength(token.length - payloadEnd - 1)
  // The signing input is ASCII (the pattern allowed nothing else): one byte per character.
  scratch.write(token, 0, payloadEnd, 'latin1')
  if (scratch.write(token.slice(payloadEnd + 1), payloadEnd, signatureLength, 'base64url') !== signatureLength) return false
  return key.verify(scratch.subarray(0, payloadEnd), scratch.subarray(payloadEnd, payloadEnd + signatureLength))
}

/** The payload as JSON, from strict UTF-8 (RFC 7519 §7.2 step 10); throws when it is not. */
function decodePayload(scratch: Buffer, jws: CompactJws): unknown {
  const { token, headerEnd, payloadEnd } = jws
  const length = scratch.write(token.slice(headerEnd + 1, payloadEnd), 0, 'base64url')
  return JSON.parse(UTF8.decode(scratch.subarray(0, length)))
}
