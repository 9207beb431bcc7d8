/**
 * `@tessera/sdk/express`: protect Express routes.
 *
 * @example
 * import { requireAuth } from '@tessera/sdk/express'
 * app.get('/orders', requireAuth(verifier, { scopes: ['orders:read'] }), (req, res) => res.json(req.auth))
 */

export type { BearerVerifier, RequireAuthOptions } from '../http/require-auth-options.js'
export type { AuthContext } from '../verifier/auth-context.js'
export { requireAuth } from './require-auth.js'
