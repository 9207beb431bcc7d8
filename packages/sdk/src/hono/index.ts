/**
 * `@tessera/sdk/hono`: protect Hono routes.
 *
 * @example
 * import { type AuthEnv, requireAuth } from '@tessera/sdk/hono'
 * app.get('/orders', requireAuth(verifier, { scopes: ['orders:read'] }), (c) => c.json(c.get('auth')))
 */

export type { BearerVerifier, RequireAuthOptions } from '../http/require-auth-options.js'
export type { AuthContext } from '../verifier/auth-context.js'
export { type AuthEnv, requireAuth } from './require-auth.js'
