import { TesseraError } from '../../shared/errors.js'
import { afterStep } from '../flow.js'
import type { Step } from './step.js'

/** Issue 13 §5: the second factor must be answered within five minutes of the password. */
export const SECOND_FACTOR_WINDOW_MS = 5 * 60_000

/**
 * The second factor after a password (NIST SP 800-63B §4.2: two distinct factors for AAL2): an
 * authenticator app's code, a recovery code, or a passkey's assertion. Proves `otp` or `hwk`/`swk`,
 * and with the password `mfa` (RFC 8176 §2).
 */
export const secondFactorStep: Step = {
  name: 'second_factor',
  async next(flow, input, context) {
    // The first factor: a password, or an upstream provider (issue 15), in this flow; or, for a
    // step-up (flows/step-up.ts), the session being stepped up, from when the step-up began.
    const password = flow.done.find((done) => done.step === 'password' || done.step === 'upstream')
    const stepUp = flow.context.stepUp
    const since = password?.at ?? (stepUp?.mode === 'second_factor' ? stepUp.at : null)
    if (flow.userId === null || since === null || context.now - since > SECOND_FACTOR_WINDOW_MS) {
      throw new TesseraError('flow_expired', { detail: 'sign in with your password again' })
    }
    const amr = await context.secondFactors.verify(flow.userId, input, context.device)
    return afterStep(flow, 'second_factor', { amr: [...amr, 'mfa'], next: [] }, context.now)
  },
}
