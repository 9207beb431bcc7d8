import type { AccountToken, AccountTokenPolicy, AccountTokenPurpose } from './account-token.js'
import { codeHash, isCodeShape, secretMatches } from './account-token.js'
import type { AccountTokenStore } from './account-token-store.js'

/** Why a presented code was refused: wrong (or none live), or the wrong try that killed the live ones. */
export type CodeRefusal = 'verification_code_invalid' | 'verification_code_exhausted'

/**
 * Checks a 6-digit code against every live code of the user for one purpose, in constant time
 * each and whatever the shape of the input. A wrong code counts against every live code; at the
 * limit they die (NIST SP 800-63B §5.1.1.2 rate limiting; 5 tries on 10^6 values). Returns the
 * matching token (not yet spent: the caller spends it in its transaction) or the refusal, which
 * the caller must return from its transaction so the count commits before it throws.
 */
export async function checkCode(
  tokens: AccountTokenStore,
  input: { userId: string; purpose: AccountTokenPurpose; code: string; email: string; now: number },
  codeKey: Buffer,
  policy: AccountTokenPolicy,
): Promise<AccountToken | CodeRefusal> {
  const live = (await tokens.listLive(input.userId, input.purpose, 'code', input.now)).filter(
    (token) => token.failedAttempts < policy.codeMaxFailures,
  )
  if (live.length === 0) return 'verification_code_invalid'
  const presented = isCodeShape(input.code) ? input.code : '-'
  const match = live.find((token) => secretMatches(token, codeHash(codeKey, token.id, presented)))
  // A code sent to an address the account no longer has proves nothing.
  if (match && match.email === input.email) return match
  let exhausted = true
  for (const token of live) exhausted = (await tokens.recordFailure(token.id)) >= policy.codeMaxFailures && exhausted
  return exhausted ? 'verification_code_exhausted' : 'verification_code_invalid'
}

/**
 * The same answers for a flow that has no user (an address without an account): its wrong tries
 * are counted under the flow for a code's lifetime, and the try that reaches the limit says
 * "exhausted", as a user's last live code would. No code ever matches it.
 */
export function refusalWithoutUser(tries: number, policy: AccountTokenPolicy): CodeRefusal {
  return tries === policy.codeMaxFailures ? 'verification_code_exhausted' : 'verification_code_invalid'
}
