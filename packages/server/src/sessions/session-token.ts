import { type IssuedOpaqueToken, isOpaqueTokenId, issueOpaqueToken, parseOpaqueToken } from '../shared/opaque-token.js'
import type { RandomSource } from '../shared/random.js'

/** Session tokens are opaque tokens (`<id>.<secret>`, see shared/opaque-token.ts). */
export type IssuedSessionToken = IssuedOpaqueToken

export function issueSessionToken(random: RandomSource): IssuedSessionToken {
  return issueOpaqueToken(random)
}

/** Splits a presented token; anything not exactly in the issued shape is refused before any lookup. */
export const parseSessionToken = parseOpaqueToken

/** Session ids are the public half of a token; the same shape check applies to ids in URLs. */
export const isSessionId = isOpaqueTokenId
