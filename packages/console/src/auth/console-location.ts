/** Where the console runs, and the OAuth URIs that follow from it. */
export interface ConsoleLocation {
  /** The Tessera issuer: the console is served at `{issuer}/console/`. */
  issuer: string
  /** The path of the console's root, e.g. `/console` (or `/auth/console` under a path issuer). */
  base: string
  /** The built-in client's only redirect URI (registered by migration 0008-console-client). */
  redirectUri: string
  /** Where the issuer's end-session endpoint sends the browser back to. */
  signedOutUri: string
}

const SEGMENT = '/console'

/**
 * Derives the issuer from the page's own address: the console is served by Tessera, below the
 * issuer, so the two always agree and no configuration is needed.
 */
export function consoleLocation(href: string): ConsoleLocation {
  const url = new URL(href)
  const path = url.pathname
  // The first `/console` segment: a later one (a user id named "console") must not move the issuer.
  const segments = path.split('/')
  const at = segments.indexOf(SEGMENT.slice(1))
  const prefix = at > 0 ? segments.slice(0, at).join('/') : ''
  const base = `${prefix}${SEGMENT}`
  return {
    issuer: `${url.origin}${prefix}`,
    base,
    redirectUri: `${url.origin}${base}/callback`,
    signedOutUri: `${url.origin}${base}/signed-out`,
  }
}
