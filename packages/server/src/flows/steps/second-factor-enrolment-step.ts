import { TesseraError } from '../../shared/errors.js'
import { afterStep, type Flow } from '../flow.js'
import { SECOND_FACTOR_WINDOW_MS } from './second-factor-step.js'
import type { Step } from './step.js'

/**
 * When the user proved the first factor in this flow (password, sign-up or upstream provider), or,
 * for a step-up that enrols at once, when the session signed in (flows/step-up.ts enrols at once only
 * within five minutes of it); null when not, or too long ago.
 */
export function passwordTime(flow: Flow, now: number): number | null {
  const identified = flow.done.find((done) => done.step === 'password' || done.step === 'registration' || done.step === 'upstream')
  const stepUp = flow.context.stepUp
  const at = identified?.at ?? (stepUp?.mode === 'second_factor' ? stepUp.authTime : null)
  return at !== null && now - at <= SECOND_FACTOR_WINDOW_MS ? at : null
}

/**
 * Enrolment of an authenticator app during sign-in, where the policy or the application requires
 * a second factor the user does not have yet (docs/mfa.md "Policy"). The app was begun by the page
 * or the JSON API (its secret shown once); one current code activates it, which proves possession
 * of it now: `otp`, and with the password `mfa` (RFC 8176 §2). A first factor comes with recovery
 * codes; a hosted flow then waits on `recovery_codes` so the page can show them before going on.
 */
export const secondFactorEnrolmentStep: Step = {
  name: 'second_factor_enrolment',
  async next(flow, input, context) {
    const since = passwordTime(flow, context.now)
    if (flow.userId === null || since === null) throw new TesseraError('flow_expired', { detail: 'sign in with your password again' })
    const codes = await context.secondFactors.confirmEnrolment(flow.userId, input.code ?? '', since, context.device)
    if (codes) context.recoveryCodesIssued?.(codes)
    // A browser flow (an authorization request, or an account sign-in) waits for its page to show them.
    const next = codes && (flow.context.authorization || flow.context.returnTo) ? (['recovery_codes'] as const) : []
    return afterStep(flow, 'second_factor_enrolment', { amr: ['otp', 'mfa'], next: [...next] }, context.now)
  },
}

/** The hosted page showed the recovery codes (once) and the user goes on: proves nothing, ends the wait. */
export const recoveryCodesStep: Step = {
  name: 'recovery_codes',
  async next(flow, _input, context) {
    return afterStep(flow, 'recovery_codes', { amr: [], next: [] }, context.now)
  },
}
