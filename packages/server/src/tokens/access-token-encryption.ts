import { CompactEncrypt, type CryptoKey, importJWK } from 'jose'
import { CONTENT_ENCRYPTION_ALGORITHM, type EncryptionJwk, KEY_MANAGEMENT_ALGORITHM } from '../apis/api-encryption-key.js'

/** Encrypts a signed access token to an API's public key; see `createAccessTokenEncrypter`. */
export type AccessTokenEncrypter = (signedToken: string, key: EncryptionJwk) => Promise<string>

/** Imported keys kept at most; an API's key changes rarely, so this only bounds a pathological churn. */
const MAX_IMPORTED = 256

/**
 * Issue 16 part 7: a nested JWT (RFC 7519 §5.2). The access token is signed as always, then
 * encrypted (RFC 7516 compact serialization) with ECDH-ES+A256KW and A256GCM to the API's public
 * key; `cty: "JWT"` says the plaintext is itself a JWT, and `kid` names the key so the resource
 * server can pick its private key (and keep the previous one during a rotation).
 */
export function createAccessTokenEncrypter(): AccessTokenEncrypter {
  const imported = new Map<string, Promise<CryptoKey | Uint8Array>>()

  function importOnce(key: EncryptionJwk): Promise<CryptoKey | Uint8Array> {
    const id = `${key.kid} ${key.x} ${key.y ?? ''}`
    let cached = imported.get(id)
    if (!cached) {
      if (imported.size >= MAX_IMPORTED) imported.clear()
      cached = importJWK({ kty: key.kty, crv: key.crv, x: key.x, ...(key.y ? { y: key.y } : {}) }, KEY_MANAGEMENT_ALGORITHM)
      cached.catch(() => imported.delete(id))
      imported.set(id, cached)
    }
    return cached
  }

  return async function encrypt(signedToken, key) {
    return new CompactEncrypt(new TextEncoder().encode(signedToken))
      .setProtectedHeader({ alg: KEY_MANAGEMENT_ALGORITHM, enc: CONTENT_ENCRYPTION_ALGORITHM, cty: 'JWT', kid: key.kid })
      .encrypt(await importOnce(key))
  }
}

/** Five base64url parts with a non-empty encrypted key (ECDH-ES+A256KW wraps one): RFC 7516 §7.1. */
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const MAX_ENCRYPTED_LENGTH = 16_384

/** Whether a token has the shape of an encrypted access token; a cheap test before a lookup. */
export function isCompactJwe(token: string): boolean {
  return token.length <= MAX_ENCRYPTED_LENGTH && COMPACT_JWE.test(token)
}
