import { isJsonObject } from '../shared/read-json.js'

/** A compact JWS split into its parts, with its protected header decoded. */
export interface CompactJws {
  header: Record<string, unknown>
  payloadPart: string
  /** `header.payload`, the bytes the signature covers (RFC 7515 §5.2). */
  signingInput: string
  signaturePart: string
}

/** Larger than any token Tessera issues; bounds the work an attacker can ask for. */
export const MAX_TOKEN_LENGTH = 8192

/** Three base64url parts, no padding, no whitespace (RFC 7515 §7.1). A JWE has five: refused. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * Check the compact form before any cryptography (docs/architecture.md §9): jose accepts padding and inner
 * spaces in the signature, and non-canonical base64url (unused trailing bits set) decodes to the
 * same bytes as the canonical form. Verified tokens are cached by their string, so only one
 * spelling of a token may ever verify. Returns null for anything else.
 */
export function parseCompactJws(token: string): CompactJws | null {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return null
  const [headerPart, payloadPart, signaturePart] = token.split('.') as [string, string, string]
  if (!isCanonical(headerPart) || !isCanonical(payloadPart) || !isCanonical(signaturePart)) return null
  const header = decodeJsonPart(headerPart)
  if (!isJsonObject(header)) return null
  return { header, payloadPart, signingInput: `${headerPart}.${payloadPart}`, signaturePart }
}

/** Decode a base64url part as a JSON value; undefined when it is not JSON. */
export function decodeJsonPart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

function isCanonical(part: string): boolean {
  return Buffer.from(part, 'base64url').toString('base64url') === part
}
