import { type CryptoKey, importJWK, type JWK } from 'jose'
import { isJsonObject } from '../shared/read-json.js'
import { type SignatureCheck, signatureCheck } from './signature-check.js'
import { ASYMMETRIC_ALGORITHMS } from './signing-algorithms.js'

/** A key from the issuer's JWKS, imported once. */
export interface PublishedKey {
  kid: string
  alg: string
  key: CryptoKey
  /** Verifies a signature with this key and its `alg` only. */
  verify: SignatureCheck
}

const MAX_KEYS = 100

/**
 * Import the usable keys of a JWKS: public signing keys with a `kid` and an allow-listed `alg`.
 * Anything else (private members, `use` other than sig, symmetric keys, duplicate kids) is
 * skipped, so a misconfigured JWKS cannot widen what the verifier accepts.
 */
export async function importPublishedKeys(document: unknown): Promise<Map<string, PublishedKey>> {
  const keys = new Map<string, PublishedKey>()
  if (!isJsonObject(document) || !Array.isArray(document.keys)) return keys
  const candidates = document.keys.filter(isUsableJwk).slice(0, MAX_KEYS)
  const seen = new Set<string>()
  const unique = candidates.filter((jwk) => !seen.has(jwk.kid) && seen.add(jwk.kid))
  const imported = await Promise.all(
    unique.map(async (jwk) => {
      try {
        const key = await importJWK(jwk, jwk.alg)
        if (key instanceof Uint8Array) return null
        const verify = signatureCheck(jwk.alg, key)
        return verify ? { kid: jwk.kid, alg: jwk.alg, key, verify } : null
      } catch {
        return null
      }
    }),
  )
  for (const key of imported) if (key) keys.set(key.kid, key)
  return keys
}

function isUsableJwk(value: unknown): value is JWK & { kid: string; alg: string } {
  if (!isJsonObject(value)) return false
  if (typeof value.kid !== 'string' || value.kid.length === 0 || typeof value.alg !== 'string') return false
  if (!ASYMMETRIC_ALGORITHMS.has(value.alg)) return false
  if (value.kty === 'oct' || 'd' in value) return false
  if (value.use !== undefined && value.use !== 'sig') return false
  if (value.key_ops !== undefined && !(Array.isArray(value.key_ops) && value.key_ops.includes('verify'))) return false
  return true
}
