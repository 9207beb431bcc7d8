import { loadOnce } from '../shared/load-once.js'

export type OpenIdClientLibrary = typeof import('openid-client')

/**
 * openid-client (and oauth4webapi under it: ~150 KB of source, ~0.9 MB of heap), imported by the
 * first round trip to an upstream, so a server without connections never loads it
 * (docs/architecture.md §9, "Memory"). A failed import rejects that request (internal_error).
 */
export const loadOpenIdClient: () => Promise<OpenIdClientLibrary> = loadOnce(() => import('openid-client'))
