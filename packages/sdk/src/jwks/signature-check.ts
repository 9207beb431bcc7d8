import { constants, KeyObject, verify } from 'node:crypto'
import type { CryptoKey } from 'jose'

/** Checks one JWS signature over its signing input; never throws. */
export type SignatureCheck = (signingInput: Buffer, signature: Buffer) => boolean

/**
 * How `node:crypto` verifies each JWS algorithm of RFC 7518 §3 and RFC 8037: the digest, and for
 * ECDSA the JOSE signature form (R || S, `ieee-p1363`, §3.4), for RSASSA-PSS a salt as long as the
 * digest (§3.5), exactly as jose verifies through WebCrypto.
 */
const PARAMETERS: Record<string, { digest: string | null; ecdsa?: true; pss?: number }> = {
  ES256: { digest: 'sha256', ecdsa: true },
  ES384: { digest: 'sha384', ecdsa: true },
  ES512: { digest: 'sha512', ecdsa: true },
  EdDSA: { digest: null },
  Ed25519: { digest: null },
  RS256: { digest: 'sha256' },
  RS384: { digest: 'sha384' },
  RS512: { digest: 'sha512' },
  PS256: { digest: 'sha256', pss: 32 },
  PS384: { digest: 'sha384', pss: 48 },
  PS512: { digest: 'sha512', pss: 64 },
}

/**
 * The signature check of one published key, for its one algorithm. jose still imports the key
 * (and refuses one that does not fit its `alg`: a curve, a modulus under 2048 bits); only the
 * verification itself runs on a `KeyObject` made from jose's key, synchronously. WebCrypto's
 * `subtle.verify` costs a promise and a thread-pool hop per token, which made a cold verification
 * a third of the raw signature check (docs/benchmarks.md, 1a). `null` for an algorithm outside the
 * table, so the caller skips that key as it skips any other it cannot use.
 */
export function signatureCheck(alg: string, key: CryptoKey): SignatureCheck | null {
  const parameters = PARAMETERS[alg]
  if (!parameters) return null
  const keyObject = KeyObject.from(key)
  const options = parameters.ecdsa
    ? { key: keyObject, dsaEncoding: 'ieee-p1363' as const }
    : parameters.pss !== undefined
      ? { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: parameters.pss }
      : keyObject
  return (signingInput, signature) => {
    try {
      return verify(parameters.digest, signingInput, options, signature)
    } catch {
      // A signature of the wrong length or form for the key: not a valid signature.
      return false
    }
  }
}
