import { type CryptoKey, compactDecrypt, importJWK, type JWK } from 'jose'
import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { isJsonObject } from '../shared/read-json.js'
import { decodeJsonPart, MAX_TOKEN_LENGTH } from './compact-jws.js'

/**
 * The only algorithms an encrypted access token may use (RFC 8725 §3.1, §3.2): Tessera encrypts
 * with ECDH-ES+A256KW and A256GCM and nothing else, so nothing else is ever tried.
 */
export const KEY_MANAGEMENT_ALGORITHM = 'ECDH-ES+A256KW'
export const CONTENT_ENCRYPTION_ALGORITHM = 'A256GCM'

/**
 * Decryption of encrypted access tokens (an API created with token encryption in Tessera).
 *
 * @example
 * const encryption: EncryptionOptions = { keys: [JSON.parse(process.env.TOKEN_DECRYPTION_JWK ?? '{}')] }
 */
export interface EncryptionOptions {
  /**
   * The API's private JWKs (EC P-256 or OKP X25519, each with its `kid`), as Tessera printed the
   * generated one; during a rotation, the new key and the previous one.
   */
  keys: JWK[]
  /** Refuse signed-only tokens (default true). Set false only while an API moves to encryption. */
  required?: boolean
}

/**
 * Turns the token a client sent into the signed JWT inside it; throws `invalid_token`. A signed
 * token comes back as it is, without a promise; only a JWE needs one (its decryption).
 */
export type TokenOpener = (token: string) => string | Promise<string>

const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * Whether a token has the JWE form. The pattern's parts hold no dot, so a token with fewer than
 * four dots (every signed token) cannot match it: `indexOf` answers for those, without
 * running the pattern over the whole token.
 */
function isCompactJwe(token: string): boolean {
  let dot = -1
  for (let dots = 0; dots < 4; dots++) {
    dot = token.indexOf('.', dot + 1)
    if (dot === -1) return false
  }
  return COMPACT_JWE.test(token)
}

function invalid(detail: string): TesseraAuthError {
  return new TesseraAuthError('invalid_token', { detail })
}

/** Checks the keys at start-up, so a misconfiguration fails at once rather than on the first request. */
export function checkDecryptionKeys(encryption: EncryptionOptions): void {
  const bad = (detail: string) => new TesseraAuthError('invalid_configuration', { detail: `encryption: ${detail}` })
  if (!Array.isArray(encryption.keys) || encryption.keys.length === 0) throw bad('keys must list at least one private JWK')
  const kids = new Set<string>()
  for (const key of encryption.keys) {
    if (!isJsonObject(key)) throw bad('each key must be a JWK object')
    const curve = `${String(key.kty)}/${String(key.crv)}`
    if (curve !== 'EC/P-256' && curve !== 'OKP/X25519') throw bad('each key must be an EC P-256 or OKP X25519 JWK')
    if (typeof key.d !== 'string') throw bad('each key must be a private key (with "d")')
    if (typeof key.kid !== 'string' || key.kid === '') throw bad('each key needs the kid Tessera gave it')
    if (key.alg !== undefined && key.alg !== KEY_MANAGEMENT_ALGORITHM) throw bad(`a key's alg must be ${KEY_MANAGEMENT_ALGORITHM}`)
    if (kids.has(key.kid)) throw bad(`two keys share the kid ${key.kid}`)
    kids.add(key.kid)
  }
  if (encryption.required !== undefined && typeof encryption.required !== 'boolean') throw bad('required must be a boolean')
}

/**
 * Issue 16 part 7: an encrypted access token is a nested JWT (RFC 7519 §5.2), a JWE (RFC 7516)
 * whose plaintext is the signed token. It is decrypted first, with an allow-list of algorithms
 * (RFC 8725 §3.1, §3.2) and the key its `kid` names; what comes out is then verified as any
 * access token is, so a JWE whose content is not a valid token of the issuer is refused there.
 * Without `encryption`, a JWE is refused; with it, a signed-only token is refused unless
 * `required` is false.
 */
export function createTokenOpener(encryption: EncryptionOptions | null): TokenOpener {
  const required = encryption !== null && encryption.required !== false
  const keys = new Map<string, Promise<CryptoKey | Uint8Array>>()
  for (const jwk of encryption?.keys ?? []) {
    const imported = importJWK(jwk, KEY_MANAGEMENT_ALGORITHM)
    imported.catch(() => {}) // reported on use, as a configuration error
    keys.set(jwk.kid as string, imported)
  }

  return function open(token) {
    if (token.length > MAX_TOKEN_LENGTH) throw invalid('the token is too long')
    if (!isCompactJwe(token)) {
      if (required) throw invalid('the token is not encrypted, and this API requires encrypted tokens')
      return token
    }
    if (encryption === null) throw invalid('an encrypted token, and no decryption key is configured')
    return decrypt(token)
  }

  async function decrypt(token: string): Promise<string> {
    // Only one spelling of a token may verify, as for JWS (tokens/compact-jws.ts): verified tokens are cached by their string.
    const parts = token.split('.')
    if (!parts.every((part) => Buffer.from(part, 'base64url').toString('base64url') === part)) throw invalid('not a canonical compact JWE')
    const header = decodeJsonPart(parts[0] as string)
    if (!isJsonObject(header)) throw invalid('the JWE header is not JSON')
    if (header.alg !== KEY_MANAGEMENT_ALGORITHM || header.enc !== CONTENT_ENCRYPTION_ALGORITHM)
      throw invalid('encryption algorithm not allowed')
    // RFC 7519 §5.2: a nested JWT says so; compression (zip) is never accepted.
    if (typeof header.cty !== 'string' || header.cty.toUpperCase() !== 'JWT') throw invalid('the JWE does not carry a JWT (cty)')
    if ('zip' in header || 'crit' in header || 'jku' in header || 'x5u' in header) throw invalid('unsupported JWE header')
    const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined
    if (!key) throw invalid('the JWE names no configured decryption key')
    let cryptoKey: CryptoKey | Uint8Array
    try {
      cryptoKey = await key
    } catch (error) {
      throw new TesseraAuthError('invalid_configuration', { detail: 'encryption: a decryption key cannot be imported', cause: error })
    }
    try {
      const { plaintext } = await compactDecrypt(token, cryptoKey, {
        keyManagementAlgorithms: [KEY_MANAGEMENT_ALGORITHM],
        contentEncryptionAlgorithms: [CONTENT_ENCRYPTION_ALGORITHM],
      })
      return new TextDecoder('utf-8', { fatal: true }).decode(plaintext)
    } catch {
      throw invalid('the token cannot be decrypted')
    }
  }
}
