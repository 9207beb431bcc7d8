/**
 * `@tessera/sdk`: verify Tessera sessions, JWT access tokens and hybrid tokens in a resource server.
 * Framework adapters live at `@tessera/sdk/express`, `@tessera/sdk/fastify` and `@tessera/sdk/hono`.
 *
 * @example
 * import { createVerifier } from '@tessera/sdk'
 * const verifier = createVerifier({ issuer: 'https://id.example.com', audience: 'https://api.example.com', mode: 'jwt' })
 * const auth = await verifier.verify(token, { scopes: ['orders:read'] })
 */

export { AUTH_ERRORS, type AuthErrorCode, type BearerErrorName } from './errors/auth-error-codes.js'
export { isTesseraAuthError, TesseraAuthError, type TesseraAuthErrorOptions } from './errors/tessera-auth-error.js'
export { type AuthErrorResponse, type AuthProblem, authErrorResponse } from './http/auth-error-response.js'
export { readBearerToken } from './http/bearer-token.js'
export type { BearerVerifier, RequireAuthOptions } from './http/require-auth-options.js'
export type { ReconnectPolicy } from './revocation/reconnect-delay.js'
export type { SessionContext } from './sessions/session-context.js'
export type { ClientCredentials } from './shared/basic-authorization.js'
export { type Clock, systemClock } from './shared/clock.js'
export type { FetchLike } from './shared/fetch-like.js'
export type { AccessTokenClaims } from './tokens/access-token-claims.js'
export type { EncryptionOptions } from './tokens/token-decryption.js'
export type { AuthContext } from './verifier/auth-context.js'
export type { AuthenticationRequirement } from './verifier/authentication-strength.js'
export { createVerifier } from './verifier/create-verifier.js'
export type { Verifier, VerifyOptions } from './verifier/verifier.js'
export type { VerificationMode, VerifierOptions } from './verifier/verifier-options.js'
