import type { Application } from '../applications/application.js'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]'])

/**
 * The registered redirect URI the presented one matches, or null. RFC 9700 §4.1.3 and OAuth 2.1
 * §2.3.1: exact string comparison, no normalisation (a trailing slash, an extra query, a change
 * of case are different URIs). RFC 8252 §7.3: for a native app's loopback IP redirect the port
 * may vary, so it alone is ignored; `localhost` is not a loopback IP (RFC 8252 §8.3) and stays exact.
 */
export function matchRedirectUri(application: Application, presented: string): string | null {
  if (application.redirectUris.includes(presented)) return presented
  if (application.type !== 'native') return null
  const url = loopback(presented)
  if (!url) return null
  for (const registered of application.redirectUris) {
    const candidate = loopback(registered)
    if (candidate && sameButPort(candidate, url, registered, presented)) return presented
  }
  return null
}

function loopback(uri: string): URL | null {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return null
  }
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) && url.username === '' && url.password === '' ? url : null
}

/** Same URI once the port is removed from both, compared as strings again (no normalisation). */
function sameButPort(registered: URL, presented: URL, registeredRaw: string, presentedRaw: string): boolean {
  const strip = (raw: string, url: URL) => (url.port === '' ? raw : raw.replace(`${url.hostname}:${url.port}`, url.hostname))
  if (presented.port !== '' && !/^[1-9][0-9]{0,4}$/.test(presented.port)) return false
  return strip(registeredRaw, registered) === strip(presentedRaw, presented) && presentedRaw.startsWith(`http://${presented.hostname}`)
}
