import type { StepName, StepUp } from './flow.js'
import { SECOND_FACTOR_WINDOW_MS } from './steps/second-factor-step.js'
import type { SecondFactorKind } from './steps/step.js'

/** The steps a stale session re-authenticates with: the password (of its own account) or a passkey. */
export const REAUTHENTICATION_STEPS: StepName[] = ['password', 'passkey']

export interface StepUpInput {
  session: { id: string; authTime: number; amr: readonly string[] }
  user: { id: string; email: string }
  /** max_age: the session's sign-in is older than the request allows. */
  stale: boolean
  /** acr_values, or the application's `requireMfa`: the session needs a second factor it has not proved. */
  needsSecondFactor: boolean
  /** The factors the user has. */
  factors: readonly SecondFactorKind[]
  /** `mfa.policy` is not `off`: a user without a factor may enrol one. */
  canEnrol: boolean
  now: number
}

export type StepUpPlan =
  | { kind: 'steps'; next: StepName[]; stepUp: StepUp }
  /** OpenID Connect Unmet Authentication Requirements 1.0: the user has no way to reach what was asked. */
  | { kind: 'unmet' }

/**
 * What a live session that falls short of an authorization request must prove (issue 13 §6,
 * docs/mfa.md "Step-up"), asking only for what is missing:
 * - a stale sign-in (max_age, OIDC Core §3.1.2.1) re-authenticates the same user (password or passkey),
 *   and a user with a factor answers it after the password as at any sign-in;
 * - a weaker acr adds the second factor the user has; a user without one enrols an authenticator app,
 *   after a password again when the session's sign-in is older than five minutes, since adding a
 *   factor needs a recent sign-in (NIST SP 800-63B §6.1.2.1) and an unattended browser must not
 *   enrol someone else's app on the account;
 * - a user without a factor where the policy is `off` cannot reach the acr: `unmet`.
 * Pure: the caller reads the factors and the policy.
 */
export function planStepUp(input: StepUpInput): StepUpPlan {
  const { session, user, now } = input
  const hasFactor = input.factors.length > 0
  if (input.needsSecondFactor && !hasFactor && !input.canEnrol) return { kind: 'unmet' }
  const enrol = input.needsSecondFactor && !hasFactor
  const stepUp = (mode: StepUp['mode']): StepUp => ({
    mode,
    sessionId: session.id,
    userId: user.id,
    email: user.email,
    amr: [...session.amr],
    authTime: session.authTime,
    at: now,
    enrol,
  })
  const recent = now - session.authTime <= SECOND_FACTOR_WINDOW_MS
  if (input.stale || (enrol && !recent)) return { kind: 'steps', next: REAUTHENTICATION_STEPS, stepUp: stepUp('reauthenticate') }
  return { kind: 'steps', next: [hasFactor ? 'second_factor' : 'second_factor_enrolment'], stepUp: stepUp('second_factor') }
}

/** The session's methods after the step-up: a second factor adds to them; a re-authentication replaces them. */
export function steppedUpAmr(stepUp: StepUp, proved: readonly string[]): string[] {
  return stepUp.mode === 'reauthenticate' ? [...proved] : [...new Set([...stepUp.amr, ...proved])]
}
