import { afterStep } from '../flow.js'
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
    const email = stepUp?.email ?? input.email ?? ''
    const user = await context.credentials.verifyPassword({ email, password: input.password ?? '' }, context.device)
    // Issue 13: a user with a second factor must answer it before any session starts.
    // docs/mfa.md "Policy": one without a factor, where one is required (or a step-up asks for one), enrols one first.
    const factors = await context.secondFactors.available(user.id)
    const next =
      factors.length > 0
        ? (['second_factor'] as const)
        : stepUp?.enrol === true || (await context.secondFactors.required(flow.clientId))
          ? (['second_factor_enrolment'] as const)
          : []
    return afterStep(flow, 'password', { amr: ['pwd'], next: [...next], userId: user.id }, context.now)
  },
}
