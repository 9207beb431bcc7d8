import { sha256 } from '../shared/digest.js'
import { type RandomSource, randomToken } from '../shared/random.js'

/**
 * Session tokens are `<id>.<secret>`: a 128-bit public id to find the record, and a 256-bit
 * CSPRNG secret of which only SHA-256 is stored (OWASP Session Management Cheat Sheet:
 * at least 64 bits of entropy; we use 256).
 */
const ID_BYTES = 16
const SECRET_BYTES = 32
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/

export interface IssuedSessionToken {
  id: string
  token: string
  secretHash: string
}

export function issueSessionToken(random: RandomSource): IssuedSessionToken {
  const id = randomToken(random, ID_BYTES)
  const secret = randomToken(random, SECRET_BYTES)
  return { id, token: `${id}.${secret}`, secretHash: sha256(secret) }
}

/** Splits a presented token; anything not exactly in the issued shape is refused before any lookup. */
export function parseSessionToken(token: string): { id: string; secretHash: string } | null {
  const match = TOKEN_PATTERN.exec(token)
  if (!match) return null
  return { id: match[1] as string, secretHash: sha256(match[2] as string) }
}

/** Session ids are the public half of a token; the same shape check applies to ids in URLs. */
export function isSessionId(value: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(value)
}
