/** What the console holds after signing in: in memory only, never in localStorage or sessionStorage. */
export interface TokenSet {
  accessToken: string
  refreshToken: string | null
  idToken: string | null
  scope: string[]
  /** Epoch milliseconds. */
  expiresAt: number
  user: { sub: string; email: string | null }
}

/** The token endpoint's answer, as far as the console reads it (RFC 6749 §5.1). */
export interface TokenEndpointResult {
  access_token: string
  refresh_token?: string | undefined
  id_token?: string | undefined
  scope?: string | undefined
  expires_in?: number | undefined
}

/** Without `expires_in` (RFC 6749 §5.1 makes it optional) assume a minute, so renewal comes early. */
const DEFAULT_LIFETIME_S = 60

export function tokenSetFrom(result: TokenEndpointResult, user: TokenSet['user'], now: number, previous?: TokenSet): TokenSet {
  return {
    accessToken: result.access_token,
    // RFC 6749 §6: a refresh response may omit a new refresh token; then the old one stays.
    refreshToken: result.refresh_token ?? previous?.refreshToken ?? null,
    idToken: result.id_token ?? previous?.idToken ?? null,
    // RFC 6749 §5.1: scope may be omitted when it is what was asked; the console then keeps what it had.
    scope: result.scope !== undefined ? result.scope.split(' ').filter(Boolean) : (previous?.scope ?? []),
    expiresAt: now + (result.expires_in ?? DEFAULT_LIFETIME_S) * 1000,
    user,
  }
}

/**
 * How long to wait before renewing: at three quarters of the remaining lifetime, so a slow
 * refresh still lands before expiry, and never sooner than in five seconds (no tight loop).
 */
export function renewalDelay(tokens: TokenSet, now: number): number {
  return Math.max(5_000, Math.floor((tokens.expiresAt - now) * 0.75))
}

export type Access = 'write' | 'read' | 'none'

/**
 * What the signed-in person may do, from the scope the token carries (a token carries only what
 * the user's roles grant). The server checks every request anyway: this only hides what would fail.
 */
export function accessOf(scope: readonly string[]): Access {
  if (!scope.includes('admin:read')) return 'none'
  return scope.includes('admin:write') ? 'write' : 'read'
}
