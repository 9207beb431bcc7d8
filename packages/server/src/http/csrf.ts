import type { IncomingHttpHeaders } from 'node:http'

/**
 * OWASP CSRF Prevention Cheat Sheet (Fetch Metadata, and verifying the origin with standard
 * headers): a state change is cross-site when `Sec-Fetch-Site` says anything but same-origin or a
 * user-initiated navigation (`none`), or when `Origin` is present and not one we trust. `same-site`
 * is refused too: a sibling subdomain is not necessarily ours.
 */
export function isCrossSite(headers: IncomingHttpHeaders, trustedOrigins: ReadonlySet<string>): boolean {
  const site = headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true
  const origin = headers.origin
  return origin !== undefined && !trustedOrigins.has(origin)
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method)
}
