import { KeyObject, randomUUID, sign } from 'node:crypto'
import { CompactSign, type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose'

/** A key pair an issuer signs with, and the JWK it publishes. */
export interface SigningKey {
  kid: string
  alg: string
  privateKey: CryptoKey
  publicKey: CryptoKey
  publicJwk: JWK & { kid: string; alg: string }
}

export async function createSigningKey(alg: 'ES256' | 'RS256' | 'EdDSA' = 'ES256', kid: string = randomUUID()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { kid, alg, privateKey, publicKey, publicJwk }
}

/** The claims of a good token for `audience` from `issuer`, issued at `now` (ms), valid five minutes. */
export function accessTokenClaims(issuer: string, audience: string, now: number, overrides: Record<string, unknown> = {}) {
  const iat = Math.floor(now / 1000)
  return {
    iss: issuer,
    sub: 'user-1',
    aud: audience,
    exp: iat + 300,
    iat,
    jti: randomUUID(),
    client_id: 'web-app',
    scope: 'orders:read orders:write',
    sid: 'session-1',
    auth_time: iat - 60,
    tessera_tv: 3,
    ...overrides,
  }
}

/**
 * Sign anything: claims as an object or as raw JSON text (for payloads `JSON.stringify` cannot
 * write, such as `1e400`), with any protected header.
 */
export async function signToken(
  key: SigningKey,
  payload: Record<string, unknown> | string,
  header: Record<string, unknown> = {},
): Promise<string> {
  const bytes = new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload))
  return new CompactSign(bytes).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header }).sign(key.privateKey)
}

/** base64url of JSON, for hand-built (forged) tokens. */
export function encodePart(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
}

/** Sign by hand with node:crypto, for headers jose refuses to produce (unknown `crit`, say). */
export function signByHand(key: SigningKey, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${encodePart(header)}.${encodePart(payload)}`
  const hash = key.alg === 'EdDSA' ? null : 'sha256'
  const signature = sign(hash, Buffer.from(input), { key: KeyObject.from(key.privateKey), dsaEncoding: 'ieee-p1363' })
  return `${input}.${signature.toString('base64url')}`
}
