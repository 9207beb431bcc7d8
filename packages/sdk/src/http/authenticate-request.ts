import type { AuthContext } from '../verifier/auth-context.js'
import { readBearerToken } from './bearer-token.js'
import type { BearerVerifier, RequireAuthOptions } from './require-auth-options.js'

/** Read the bearer token of a request's `Authorization` header and verify it: the adapters' shared core. */
export function authenticateRequest(
  verifier: BearerVerifier,
  authorization: string | readonly string[] | null | undefined,
  options: RequireAuthOptions,
): Promise<AuthContext> {
  try {
    const token = readBearerToken(authorization)
    const { scopes, maxAge, acr } = options
    return verifier.verify(token, {
      ...(scopes ? { scopes } : {}),
      ...(maxAge !== undefined ? { maxAge } : {}),
      ...(acr !== undefined ? { acr } : {}),
    })
  } catch (error) {
    return Promise.reject(error)
  }
}
