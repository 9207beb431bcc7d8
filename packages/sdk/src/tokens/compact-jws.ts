import { isJsonObject } from '../shared/read-json.js'

/**
 * A compact JWS whose form passed {@link parseCompactJws}: the token and where its parts end. The
 * parts are not copied out: the signing input is `token[0, payloadEnd)` (RFC 7515 §5.2), the
 * header `token[0, headerEnd)`, the payload between the two dots, the signature after the second.
 */
export interface CompactJws {
  token: string
  /** The index of the first dot. */
  headerEnd: number
  /** The index of the second dot. */
  payloadEnd: number
}

/** Larger than any token Tessera issues; bounds the work an attacker can ask for. */
export const MAX_TOKEN_LENGTH = 8192

/** Three base64url parts, no padding, no whitespace (RFC 7515 §7.1). A JWE has five: refused. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** The 6-bit value of each base64url character, by character code. */
const SEXTET = new Uint8Array(128)
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i

/**
 * Check the compact form before any cryptography (docs/architecture.md §9): jose accepts padding and inner
 * spaces in the signature, and non-canonical base64url (unused trailing bits set) decodes to the
 * same bytes as the canonical form. Verified tokens are cached by their string, so only one
 * spelling of a token may ever verify. Returns null for anything else.
 */
export function parseCompactJws(token: string): CompactJws | null {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return null
  const headerEnd = token.indexOf('.')
  const payloadEnd = token.indexOf('.', headerEnd + 1)
  if (
    !isCanonical(token, 0, headerEnd) ||
    !isCanonical(token, headerEnd + 1, payloadEnd) ||
    !isCanonical(token, payloadEnd + 1, token.length)
  )
    return null
  return { token, headerEnd, payloadEnd }
}

/**
 * Whether `token[start, end)`, base64url characters only (the pattern above checked them), is the
 * canonical spelling of its bytes: what `Buffer.from(part, 'base64url').toString('base64url')`
 * gives back, without decoding it. Without padding (RFC 7515 §2), a part of 4n + 1 characters
 * holds no whole byte; one of 4n + 2 characters ends in 4 unused bits, one of 4n + 3 in 2; the
 * canonical form has them all zero (RFC 4648 §3.5). `compact-jws.test.ts` holds it to the round trip.
 */
export function isCanonical(token: string, start: number, end: number): boolean {
  const length = end - start
  const rest = length & 3
  if (rest === 0) return true
  if (rest === 1) return false
  const last = SEXTET[token.charCodeAt(end - 1)] as number
  return rest === 2 ? (last & 0b1111) === 0 : (last & 0b11) === 0
}

/** How many bytes `length` canonical base64url characters decode to. */
export function decodedLength(length: number): number {
  return (length * 3) >>> 2
}

/** Decode a base64url part as a JSON value; undefined when it is not JSON. */
export function decodeJsonPart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

/** The protected header of a parsed JWS as a JSON object, or null. */
export function decodeHeader(jws: CompactJws): Record<string, unknown> | null {
  const header = decodeJsonPart(jws.token.slice(0, jws.headerEnd))
  return isJsonObject(header) ? header : null
}
