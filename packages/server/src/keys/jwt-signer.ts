import { constants, KeyObject, type SignKeyObjectInput, type SignPrivateKeyInput, sign } from 'node:crypto'
import type { CryptoKey } from 'jose'
import type { SigningAlgorithm } from './signing-key.js'

/** The `typ` of each JWT Tessera signs (RFC 8725 §3.11: explicit typing). */
export type JwtType = 'at+jwt' | 'JWT' | 'logout+jwt'

/** The active key, ready to sign: what the issuers of access, ID and logout tokens receive. */
export interface Signer {
  kid: string
  alg: SigningAlgorithm
  /**
   * The compact JWS (RFC 7515 §7.1) of `claims`, protected header `{ alg, kid, typ }`. The claims
   * are the issuer's, in the order it wrote them; `iat`, `exp` and `nbf` must be finite numbers.
   * ES256 and EdDSA sign on the event loop, inside a grant's transaction too (docs/architecture.md
   * §12), unless the caller asks for `offLoop`: then on libuv's thread pool, as RSA always does.
   * An access token issued outside a transaction (client_credentials) asks for it: there the
   * event loop bounds the rate and another core signs meanwhile (docs/architecture.md §4); so does
   * one issued inside a PostgreSQL transaction (§12).
   */
  sign(typ: JwtType, claims: Record<string, unknown>, options?: { offLoop?: boolean }): Promise<string>
}

/**
 * How `node:crypto` signs each algorithm of the allow-list (RFC 7518 §3, RFC 8037 §3.1), exactly as
 * jose signs through WebCrypto: ECDSA in the JOSE form (R || S, `ieee-p1363`, RFC 7518 §3.4),
 * RSASSA-PSS with a salt as long as the digest (§3.5). `keyType` is the key the algorithm needs.
 */
const PARAMETERS: Record<SigningAlgorithm, { digest: string | null; keyType: string; ecdsa?: true; pss?: true }> = {
  ES256: { digest: 'sha256', keyType: 'ec', ecdsa: true },
  EdDSA: { digest: null, keyType: 'ed25519' },
  RS256: { digest: 'sha256', keyType: 'rsa' },
  PS256: { digest: 'sha256', keyType: 'rsa', pss: true },
}

const base64url = (json: string) => Buffer.from(json, 'utf8').toString('base64url')

/**
 * The server's signer for one key (docs/architecture.md §4). jose generates, exports and imports
 * the key (its import refuses a key that does not fit `alg`); only the signature runs on a
 * `KeyObject` made from jose's key, and the compact form around it is built here: the header is
 * ours and fixed, so it is encoded once per `typ`. jose's `SignJWT` through WebCrypto cost a
 * builder pass over claims we wrote ourselves, WebCrypto's algorithm normalisation, a promise and
 * a thread-pool hop per token. ES256 and EdDSA sign inline (tens of microseconds; inside a
 * transaction the hand-off to the thread pool cost the event loop more than the signature, issue
 * 17) unless the caller asks for `offLoop`; RSA, a millisecond or more, always signs on the thread
 * pool (node:crypto's callback form), as WebCrypto ran it.
 */
export function createSigner(kid: string, alg: SigningAlgorithm, key: CryptoKey): Signer {
  const parameters = PARAMETERS[alg]
  const keyObject = KeyObject.from(key)
  // Fail closed on a key of the wrong type for `alg` (RFC 8725 §3.1), whatever its import said.
  const curve = keyObject.asymmetricKeyDetails?.namedCurve
  if (keyObject.type !== 'private' || keyObject.asymmetricKeyType !== parameters.keyType || (parameters.ecdsa && curve !== 'prime256v1')) {
    throw new TypeError(`the key of ${kid} is not a private key for ${alg}`)
  }
  const options: SignKeyObjectInput | SignPrivateKeyInput | KeyObject = parameters.ecdsa
    ? { key: keyObject, dsaEncoding: 'ieee-p1363' }
    : parameters.pss
      ? { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : keyObject
  const headers = new Map<JwtType, string>()
  const onThreadPool = (input: Buffer) =>
    new Promise<Buffer>((resolve, reject) =>
      sign(parameters.digest, input, options, (error, bytes) => (error ? reject(error) : resolve(bytes))),
    )
  // RSA (a millisecond or more) never signs on the event loop.
  const inline = parameters.keyType !== 'rsa'

  return {
    kid,
    alg,
    async sign(typ, claims, { offLoop = false } = {}) {
      for (const name of ['iat', 'exp', 'nbf']) {
        const value = claims[name]
        // JSON.stringify would write NaN or Infinity as null; jose's builder refused them too.
        if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
          throw new TypeError(`the ${name} claim must be a finite number`)
        }
      }
      let header = headers.get(typ)
      if (header === undefined) {
        header = base64url(JSON.stringify({ alg, kid, typ }))
        headers.set(typ, header)
      }
      const input = `${header}.${base64url(JSON.stringify(claims))}`
      // The signing input is ASCII (RFC 7515 §5.1): latin1 copies it byte for byte.
      const bytes = Buffer.from(input, 'latin1')
      const signature = inline && !offLoop ? sign(parameters.digest, bytes, options) : await onThreadPool(bytes)
      return `${input}.${signature.toString('base64url')}`
    },
  }
}
