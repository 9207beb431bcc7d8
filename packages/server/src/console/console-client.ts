import type { Application } from '../applications/application.js'

/**
 * The admin console's OAuth client: a public single-page app (authorization code with PKCE,
 * RFC 9700 §2.1.1) registered by migration 0008-console-client. Its client_id is fixed so the
 * console can name it without configuration.
 */
export const CONSOLE_CLIENT_ID = 'tessera-admin-console'

/** Where the console is served, below the issuer. */
export const CONSOLE_PATH = '/console'

/**
 * The console's redirect and post-logout URIs live under the issuer, which only the running
 * configuration knows (a migration cannot), so they are derived from it instead of stored: the
 * stored lists stay empty and a change of issuer needs no data change. Matching stays exact
 * (RFC 9700 §4.1.3): these are the only URIs the client has.
 */
export function consoleUris(issuer: string): Pick<Application, 'redirectUris' | 'postLogoutRedirectUris'> {
  const base = `${issuer.replace(/\/+$/, '')}${CONSOLE_PATH}`
  return { redirectUris: [`${base}/callback`], postLogoutRedirectUris: [`${base}/signed-out`] }
}

/** Built-in applications cannot be edited, rotated or deleted (like the built-in admin API). */
export function isBuiltInApplication(clientId: string): boolean {
  return clientId === CONSOLE_CLIENT_ID
}

/** The application as the protocol sees it: the console's URIs are resolved against the issuer. */
export function resolveBuiltInApplication(application: Application, issuer: string): Application {
  return isBuiltInApplication(application.id) ? { ...application, ...consoleUris(issuer) } : application
}
