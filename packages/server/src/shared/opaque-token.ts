import { sha256 } from './digest.js'
import { randomOrderedId } from './ordered-id.js'
import { type RandomSource, randomToken } from './random.js'

/**
 * Opaque credentials (session tokens, refresh tokens, reference access tokens) are
 * `<id>.<secret>`: a 128-bit public id to find the record, and a 256-bit CSPRNG secret of which
 * only SHA-256 is stored (OWASP Session Management Cheat Sheet asks for at least 64 bits).
 */
const ID_BYTES = 16
const SECRET_BYTES = 32
const ID_LENGTH = 22
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/

export interface IssuedOpaqueToken {
  id: string
  token: string
  secretHash: string
}

export function issueOpaqueToken(random: RandomSource): IssuedOpaqueToken {
  const id = randomToken(random, ID_BYTES)
  const secret = randomToken(random, SECRET_BYTES)
  return { id, token: `${id}.${secret}`, secretHash: sha256(secret) }
}

/**
 * An opaque token whose id sorts by `now` (shared/ordered-id.ts): for the rows a grant appends on
 * its hot path (refresh families, recorded access tokens). The secret is drawn as above.
 */
export function issueOrderedOpaqueToken(random: RandomSource, now: number): IssuedOpaqueToken {
  const id = randomOrderedId(random, now)
  const secret = randomToken(random, SECRET_BYTES)
  return { id, token: `${id}.${secret}`, secretHash: sha256(secret) }
}

/** Builds a token from a known id and secret (refresh-token successors are derived, not drawn). */
export function opaqueTokenFrom(id: string, secret: string): IssuedOpaqueToken {
  return { id, token: `${id}.${secret}`, secretHash: sha256(secret) }
}

/** Splits a presented token; anything not exactly in the issued shape is refused before any lookup. */
export function parseOpaqueToken(token: string): { id: string; secretHash: string } | null {
  // `test` and slices at the fixed positions rather than `exec`: no match array per token (issue 17).
  if (!TOKEN_PATTERN.test(token)) return null
  return { id: token.slice(0, ID_LENGTH), secretHash: sha256(token.slice(ID_LENGTH + 1)) }
}

/** The public half of an opaque token; the same shape check applies to ids in URLs. */
export function isOpaqueTokenId(value: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(value)
}
