import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import { TesseraError } from '../shared/errors.js'

/**
 * Encrypted access tokens (issue 16 part 7, RFC 7516, RFC 7519 §5.2): the one key-management and
 * the one content-encryption algorithm Tessera uses, so nothing weaker can be asked for.
 * ECDH-ES+A256KW: an ephemeral key agreement per token, wrapping a fresh content key.
 */
export const KEY_MANAGEMENT_ALGORITHM = 'ECDH-ES+A256KW'
export const CONTENT_ENCRYPTION_ALGORITHM = 'A256GCM'

/** The curves an API's encryption key may use. */
export const ENCRYPTION_CURVES = ['P-256', 'X25519'] as const
export type EncryptionCurve = (typeof ENCRYPTION_CURVES)[number]

/** The public key an API's access tokens are encrypted to, as Tessera stores and publishes it. */
export interface EncryptionJwk {
  kty: 'EC' | 'OKP'
  crv: EncryptionCurve
  x: string
  y?: string
  kid: string
  alg: typeof KEY_MANAGEMENT_ALGORITHM
  use: 'enc'
}

/** What an operator asks for: a key pair made here (its private half shown once), or a public key of their own. */
export type EncryptionKeyRequest = { generate: EncryptionCurve } | { publicJwk: unknown }

const KID = /^[A-Za-z0-9._:-]{1,128}$/
const COORDINATE = /^[A-Za-z0-9_-]{43}$/ // 32 bytes, base64url without padding

function bad(detail: string): TesseraError {
  return new TesseraError('invalid_request', { detail })
}

/**
 * Checks a public JWK registered for an API and returns it in the stored form (only the members
 * that matter, with `alg`, `use` and a `kid`: the given one or the RFC 7638 thumbprint). A private
 * key is refused: Tessera must never hold the key that decrypts an API's tokens.
 */
export async function checkPublicEncryptionJwk(input: unknown): Promise<EncryptionJwk> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw bad('the encryption key must be a JWK object')
  const jwk = input as Record<string, unknown>
  if ('d' in jwk) throw bad('that is a private key: register the public key only (without "d")')
  const curve = `${String(jwk.kty)}/${String(jwk.crv)}`
  if (curve !== 'EC/P-256' && curve !== 'OKP/X25519') throw bad('the encryption key must be an EC P-256 or an OKP X25519 JWK')
  if (jwk.alg !== undefined && jwk.alg !== KEY_MANAGEMENT_ALGORITHM)
    throw bad(`the encryption key's alg must be ${KEY_MANAGEMENT_ALGORITHM}`)
  if (jwk.use !== undefined && jwk.use !== 'enc') throw bad('the encryption key\'s use must be "enc"')
  if (typeof jwk.x !== 'string' || !COORDINATE.test(jwk.x)) throw bad('the encryption key has no valid "x"')
  if (jwk.kty === 'EC' && (typeof jwk.y !== 'string' || !COORDINATE.test(jwk.y))) throw bad('the encryption key has no valid "y"')
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || !KID.test(jwk.kid)))
    throw bad("the encryption key's kid must be 1 to 128 of A-Z a-z 0-9 . _ : -")
  const members: JWK =
    jwk.kty === 'EC' ? { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y as string } : { kty: 'OKP', crv: 'X25519', x: jwk.x as string }
  try {
    // RFC 8725 §3.4: a point not on the curve is refused here, not at the first token.
    await importJWK(members, KEY_MANAGEMENT_ALGORITHM)
  } catch {
    throw bad('the encryption key is not a valid public key')
  }
  const kid = typeof jwk.kid === 'string' ? jwk.kid : await calculateJwkThumbprint(members, 'sha256')
  return { ...(members as Omit<EncryptionJwk, 'kid' | 'alg' | 'use'>), kid, alg: KEY_MANAGEMENT_ALGORITHM, use: 'enc' }
}

/**
 * Makes a key pair for an API. The caller hands the private JWK to the operator once and keeps
 * only the public one: Tessera holds no key that decrypts the tokens it encrypts.
 */
export async function generateEncryptionKeyPair(curve: EncryptionCurve): Promise<{ publicJwk: EncryptionJwk; privateJwk: JWK }> {
  if (!(ENCRYPTION_CURVES as readonly string[]).includes(curve)) throw bad(`the curve must be one of ${ENCRYPTION_CURVES.join(', ')}`)
  const { publicKey, privateKey } = await generateKeyPair(KEY_MANAGEMENT_ALGORITHM, { crv: curve, extractable: true })
  const publicJwk = await checkPublicEncryptionJwk(await exportJWK(publicKey))
  const privateJwk = { ...(await exportJWK(privateKey)), kid: publicJwk.kid, alg: KEY_MANAGEMENT_ALGORITHM, use: 'enc' }
  return { publicJwk, privateJwk }
}

/** Reads a stored key back; a row that does not parse is treated as a store fault, never as "no encryption". */
export function parseStoredEncryptionJwk(text: string | null): EncryptionJwk | null {
  if (text === null) return null
  return JSON.parse(text) as EncryptionJwk
}
