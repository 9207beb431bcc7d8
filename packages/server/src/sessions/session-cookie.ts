import type { CookieSerializeOptions } from '@fastify/cookie'
import { TesseraError } from '../shared/errors.js'

export interface CookieSettings {
  /** The full cookie name, with `__Host-` when secure. */
  name: string
  secure: boolean
  sameSite: 'lax' | 'strict'
}

/**
 * `__Host-` + `Secure; HttpOnly; Path=/` and no Domain (RFC 6265bis §4.1.3.2): the cookie is
 * bound to this exact host over HTTPS. Only plain-http localhost drops the prefix and `Secure`.
 */
export function cookieSettings(baseName: string, mode: 'auto' | 'always', issuer: string, sameSite: 'lax' | 'strict'): CookieSettings {
  const secure = mode === 'always' || !isPlainHttpLocalhost(issuer)
  return { name: secure ? `__Host-${baseName}` : baseName, secure, sameSite }
}

export function isPlainHttpLocalhost(issuer: string): boolean {
  const url = new URL(issuer)
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
}

export function cookieOptions(settings: CookieSettings, maxAgeSeconds?: number): CookieSerializeOptions {
  return {
    path: '/',
    httpOnly: true,
    secure: settings.secure,
    sameSite: settings.sameSite,
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  }
}

export type CookieRead = { kind: 'none' } | { kind: 'one'; value: string } | { kind: 'duplicate' }

/**
 * Reads the session cookie from the raw header. Cookie parsers keep the first of several cookies
 * with one name; we refuse the request instead, since a second cookie is how cookie tossing from
 * a sibling domain or a narrower path would try to pin a victim to the attacker's session.
 */
export function readSessionCookie(header: string | undefined, name: string): CookieRead {
  if (!header) return { kind: 'none' }
  const values: string[] = []
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim())
  }
  if (values.length === 0) return { kind: 'none' }
  if (values.length > 1) return { kind: 'duplicate' }
  return { kind: 'one', value: values[0] as string }
}

/**
 * The one way to read the session cookie, for the JSON API and the hosted pages alike: the token,
 * or null when the request carries none. Two cookies of the session's name are refused with 400
 * `duplicate_session_cookie` everywhere. Treating them as "no session" (as the hosted pages once
 * did) is the unsafe reading: a tossed cookie would make a sign-out page say "signed out" while the
 * real session lives on, and would loop a sign-in forever.
 */
export function sessionTokenFromCookie(header: string | undefined, name: string): string | null {
  const read = readSessionCookie(header, name)
  if (read.kind === 'duplicate') throw new TesseraError('duplicate_session_cookie')
  return read.kind === 'one' ? read.value : null
}
