import { domainToASCII } from 'node:url'

/**
 * Normalises an email address for storage and lookup: trimmed, NFC, lower-cased, with an
 * internationalised domain in its ASCII (punycode) form. Returns null for anything that is not
 * one plausible address. Provider-specific rewrites (dots or +tags in Gmail) are deliberately
 * not applied: they are not true for every provider.
 */
export function normalizeEmail(input: string): string | null {
  const value = input.trim().normalize('NFC').toLowerCase()
  if (value.length > 254) return null // RFC 5321 §4.5.3.1.3: path limit
  const at = value.lastIndexOf('@')
  if (at <= 0 || at === value.length - 1) return null
  const local = value.slice(0, at)
  const domain = domainToASCII(value.slice(at + 1))
  if (local.length > 64) return null // RFC 5321 §4.5.3.1.1
  // No whitespace, control characters, angle brackets or a second @ in the local part.
  if (/[\s\p{Cc}<>@,;:"\\[\]()]/u.test(local)) return null
  if (!domain || !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/.test(domain)) {
    return null
  }
  return `${local}@${domain}`
}
