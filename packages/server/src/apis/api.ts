import type { EncryptionJwk } from './api-encryption-key.js'

/** docs/architecture.md §3: how resource servers of this API check its tokens. */
export const VERIFICATION_MODES = ['session', 'jwt', 'hybrid'] as const
export type VerificationMode = (typeof VERIFICATION_MODES)[number]

/** Default access-token TTL by mode, in seconds: short where revocation cannot reach (jwt). */
export const DEFAULT_TTL_BY_MODE: Record<VerificationMode, number> = { session: 3600, jwt: 300, hybrid: 3600 }

/** A protected API (an OAuth resource); its identifier is the `aud` of its tokens (RFC 8707). */
export interface Api {
  id: string
  identifier: string
  name: string
  mode: VerificationMode
  /** Access-token lifetime in seconds. */
  accessTokenTtl: number
  /** Permissions this API defines. */
  scopes: string[]
  /** Its access tokens carry a `roles` claim: the names of the subject's roles granting anything on it. */
  rolesClaim: boolean
  /** RFC 9449: it accepts DPoP-bound tokens only; the token endpoint refuses to issue it others. */
  requireDpop?: boolean
  /**
   * Issue 16 part 7: its JWT access tokens are encrypted to this public key (nested JWTs, RFC 7519
   * §5.2); null or absent when they are signed only.
   */
  encryptionKey?: EncryptionJwk | null
  createdAt: number
  updatedAt: number
}

export function presentApi(api: Api) {
  return {
    id: api.id,
    identifier: api.identifier,
    name: api.name,
    mode: api.mode,
    accessTokenTtl: api.accessTokenTtl,
    scopes: api.scopes,
    rolesClaim: api.rolesClaim,
    requireDpop: api.requireDpop === true,
    encryptTokens: Boolean(api.encryptionKey),
    // The public key only: Tessera never holds the private one.
    encryptionKey: api.encryptionKey ?? null,
    createdAt: new Date(api.createdAt).toISOString(),
  }
}

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
export function isScopeToken(value: string): boolean {
  return /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/.test(value)
}

/**
 * RFC 8707 §2: a resource is an absolute URI without a fragment. We also accept URNs
 * (urn:…), which are absolute URIs too.
 */
export function isResourceIdentifier(value: string): boolean {
  if (value.length > 512 || value.includes('#')) return false
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'urn:'
  } catch {
    return false
  }
}
