/**
 * `@tessera/sdk/fastify`: protect Fastify routes.
 *
 * @example
 * import { requireAuth } from '@tessera/sdk/fastify'
 * app.get('/orders', { preHandler: requireAuth(verifier, { scopes: ['orders:read'] }) }, async (request) => request.auth)
 */

export type { BearerVerifier, RequireAuthOptions } from '../http/require-auth-options.js'
export type { AuthContext } from '../verifier/auth-context.js'
export { type AuthHook, requireAuth } from './require-auth.js'
