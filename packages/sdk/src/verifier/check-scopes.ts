import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { AuthContext } from './auth-context.js'

/** RFC 6750 §3.1: every required scope must be granted, or the answer is 403 `insufficient_scope`. */
export function checkScopes(context: AuthContext, required: readonly string[] | undefined): void {
  if (!required || required.length === 0) return
  for (const scope of required) {
    if (!context.scopes.includes(scope)) throw new TesseraAuthError('insufficient_scope', { scopes: required })
  }
}
