import { TesseraError } from '../shared/errors.js'
import { type AccountToken, type AccountTokenPurpose, parseLinkToken, secretMatches, tokenRefusal } from './account-token.js'
import type { AccountTokenStore } from './account-token-store.js'

/**
 * Finds the link token a request presents and checks it for one purpose: shape, existence,
 * secret (constant time), purpose, use and expiry, in that order, so an unknown or altered token
 * says nothing about any other. Spending it is the caller's, in its transaction.
 */
export async function checkLinkToken(
  tokens: AccountTokenStore,
  presented: string,
  purpose: AccountTokenPurpose,
  now: number,
): Promise<AccountToken> {
  const parsed = parseLinkToken(presented)
  if (!parsed) throw new TesseraError('account_token_invalid')
  const token = await tokens.findById(parsed.id)
  if (token?.kind !== 'link' || !secretMatches(token, parsed.secretHash)) throw new TesseraError('account_token_invalid')
  const refusal = tokenRefusal(token, purpose, now, Number.POSITIVE_INFINITY)
  if (refusal === 'wrong_purpose') throw new TesseraError('account_token_invalid')
  if (refusal === 'used') throw new TesseraError('account_token_used')
  if (refusal === 'expired') throw new TesseraError('account_token_expired')
  return token
}

/** Spends a checked token in the caller's transaction; a concurrent use that won makes this one fail. */
export async function spendLinkToken(tokens: AccountTokenStore, token: AccountToken, now: number): Promise<void> {
  if (!(await tokens.markUsed(token.id, now))) throw new TesseraError('account_token_used')
}
