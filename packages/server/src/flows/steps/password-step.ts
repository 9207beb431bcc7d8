import { afterStep } from '../flow.js'
import { secondFactorNext } from './second-factor-next.js'
import type { Step } from './step.js'

/**
 * Signs in to an existing account with its email and password (NIST SP 800-63B §5.1.1: a
 * memorized secret), with the throttling and anti-enumeration rules of auth/auth-service.ts.
 * Proves `pwd` (RFC 8176 §2).
 */
export const passwordStep: Step = {
  name: 'password',
  async next(flow, input, context) {
    // A step-up (flows/step-up.ts) re-authenticates the session's own account, whatever address is typed.
    const stepUp = flow.context.stepUp
    const credentials = { email: stepUp?.email ?? input.email ?? '', password: input.password ?? '' }
    // Issue 12: under signUp.requireVerifiedEmail an unverified account is not a dead end: after
    // the right password (never before, so a guesser learns nothing), the flow asks for its address.
    const allowUnverified = context.verification !== undefined
    const user = await context.credentials.verifyPassword(credentials, context.device, { allowUnverified })
    if (allowUnverified && !user.emailVerified) {
      const waiting = { ...flow, context: { ...flow.context, verification: { email: user.email } } }
      return afterStep(waiting, 'password', { amr: ['pwd'], next: ['verify_email'], userId: user.id }, context.now)
    }
    // Issue 13: a user with a second factor must answer it before any session starts.
    // docs/mfa.md "Policy": one without a factor, where one is required (or a step-up asks for one), enrols one first.
    const next = await secondFactorNext(user.id, flow.clientId, context, stepUp?.enrol === true)
    return afterStep(flow, 'password', { amr: ['pwd'], next, userId: user.id }, context.now)
  },
}
