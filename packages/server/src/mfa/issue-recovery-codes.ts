import type { RandomSource } from '../shared/random.js'
import type { RecoveryCodeStore } from './recovery-code-store.js'
import type { RecoveryCodeHasher } from './recovery-codes.js'
import { generateRecoveryCodes } from './recovery-codes.js'

/** A new set of recovery codes for a user, in the caller's transaction: stored hashed, returned once. */
export async function issueRecoveryCodes(
  tx: { recoveryCodes: RecoveryCodeStore },
  deps: { random: RandomSource; hasher: RecoveryCodeHasher },
  userId: string,
  now: number,
): Promise<string[]> {
  const codes = generateRecoveryCodes(deps.random)
  await tx.recoveryCodes.replaceAll(
    userId,
    codes.map((code) => deps.hasher.hash(code)),
    now,
  )
  return codes
}
