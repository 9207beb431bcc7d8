/** The built-in API that guards the admin API: its tokens' audience and the two permissions it defines. */
export { ADMIN_API_ID, ADMIN_API_IDENTIFIER } from '../apis/built-in-api.js'
export const ADMIN_READ = 'admin:read'
export const ADMIN_WRITE = 'admin:write'
export const ADMIN_PERMISSIONS = [ADMIN_READ, ADMIN_WRITE] as const
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number]

/**
 * Admin tokens are opaque references (mode `session`): every admin request looks its token up,
 * so revoking it, its client or the client's secret takes effect at once. Five minutes is enough
 * for a script; it asks again with client credentials.
 */
export const ADMIN_API_MODE = 'session'
export const ADMIN_TOKEN_TTL = 300
