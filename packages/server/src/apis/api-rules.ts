import { TesseraError } from '../shared/errors.js'
import { DEFAULT_TTL_BY_MODE, isScopeToken, VERIFICATION_MODES, type VerificationMode } from './api.js'

/** The rules an API's settings obey, at registration and on every change. */
export function checkApiName(value: string): string {
  const name = value.trim()
  if (name.length === 0 || name.length > 200) throw new TesseraError('invalid_request', { detail: 'name must be 1 to 200 characters' })
  return name
}

export function checkMode(mode: string): VerificationMode {
  if (!(VERIFICATION_MODES as readonly string[]).includes(mode)) {
    throw new TesseraError('invalid_request', { detail: `mode must be one of ${VERIFICATION_MODES.join(', ')}` })
  }
  return mode as VerificationMode
}

export function checkScopes(scopes: string[]): string[] {
  const bad = scopes.find((scope) => !isScopeToken(scope))
  if (bad !== undefined)
    throw new TesseraError('invalid_request', { detail: `not a valid scope name: ${JSON.stringify(bad).slice(0, 80)}` })
  return [...new Set(scopes)]
}

export function checkTtl(ttl: number | undefined, mode: VerificationMode, maxAccessTokenTtl: number): number {
  const value = ttl ?? Math.min(DEFAULT_TTL_BY_MODE[mode], maxAccessTokenTtl)
  if (!Number.isInteger(value) || value < 30 || value > maxAccessTokenTtl) {
    throw new TesseraError('invalid_request', {
      detail: `accessTokenTtl must be 30 to ${maxAccessTokenTtl} seconds (tokens.maxAccessTokenTtl)`,
    })
  }
  return value
}

/** Only JWT access tokens (jwt and hybrid APIs) can be encrypted; a session API's tokens are opaque references. */
export function checkEncryptable(mode: VerificationMode): void {
  if (mode === 'session') {
    throw new TesseraError('invalid_request', {
      detail: 'token encryption applies to jwt and hybrid APIs; session-mode tokens are opaque references',
    })
  }
}
