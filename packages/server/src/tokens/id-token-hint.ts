import { compactVerify, decodeProtectedHeader, importJWK } from 'jose'
import type { KeyService } from '../keys/key-service.js'
import { SIGNING_ALGORITHMS } from '../keys/signing-key.js'

export interface IdTokenHint {
  sub: string
  aud: string
  sid: string | null
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * OIDC RP-Initiated Logout 1.0 §2: an ID token we issued, used as a hint. Its signature (one of
 * our published keys, its own algorithm) and issuer must hold; an expired one is still a good
 * hint ("the OP SHOULD accept ID Tokens when the RP identified by the ID Token's aud claim ...
 * has a current session or had a recent session"). Returns null for anything else.
 */
export async function verifyIdTokenHint(token: string, deps: { issuer: string; keys: KeyService }): Promise<IdTokenHint | null> {
  if (token.length > 8192 || !COMPACT_JWS.test(token)) return null
  try {
    const header = decodeProtectedHeader(token)
    if (header.typ !== 'JWT' || typeof header.kid !== 'string' || !(SIGNING_ALGORITHMS as readonly string[]).includes(header.alg ?? ''))
      return null
    const key = await deps.keys.publishedKey(header.kid)
    if (!key || key.alg !== header.alg) return null
    const { payload } = await compactVerify(token, await importJWK(key.publicJwk, key.alg), { algorithms: [key.alg] })
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
    const str = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 256
    if (claims.iss !== deps.issuer || !str(claims.sub) || !str(claims.aud)) return null
    if (claims.sid !== undefined && !str(claims.sid)) return null
    return { sub: claims.sub, aud: claims.aud, sid: (claims.sid as string | undefined) ?? null }
  } catch {
    return null
  }
}
