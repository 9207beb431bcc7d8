import type { ThrottleState } from './sign-in-throttle-store.js'

export interface ThrottlePolicy {
  /** Consecutive failures allowed before back-off starts (NIST SP 800-63B §5.2.2: at most 100). */
  freeFailures: number
  backoffBaseMs: number
  backoffMaxMs: number
}

/** Milliseconds until the account may try again, or 0 when it may try now. */
export function throttleWait(state: ThrottleState | null, now: number): number {
  return state?.lockedUntil != null && state.lockedUntil > now ? state.lockedUntil - now : 0
}

/**
 * The state after one more failure: the count rises and, past the free failures, the account
 * is locked for an exponentially growing time, capped.
 */
export function afterFailure(state: ThrottleState | null, policy: ThrottlePolicy, now: number): ThrottleState {
  const failures = (state?.failures ?? 0) + 1
  if (failures < policy.freeFailures) return { failures, lockedUntil: null }
  const exponent = Math.min(failures - policy.freeFailures, 30)
  const delay = Math.min(policy.backoffBaseMs * 2 ** exponent, policy.backoffMaxMs)
  return { failures, lockedUntil: now + delay }
}

/**
 * How long an account's failure count is kept after its last failure. Forgetting it gives an
 * attacker the free failures and the doubling back-offs again, `freeFailures + ⌈log₂(max/base)⌉`
 * tries sooner than the capped back-off would allow; waiting this long cost them as many tries at
 * that cap. So a count forgotten after this never raises the rate of guesses the throttle allows
 * (NIST SP 800-63B §5.2.2), and housekeeping may delete the row.
 */
export function throttleRetentionMs(policy: ThrottlePolicy): number {
  const ramp = Math.ceil(Math.log2(Math.max(1, policy.backoffMaxMs / policy.backoffBaseMs)))
  return (policy.freeFailures + ramp) * policy.backoffMaxMs
}
