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
    const user = await context.credentials.verifyPassword({ email: input.email ?? '', password: input.password ?? '' }, context.device)
    // Issue 13: a user with a second factor must answer it before any session starts.
    const factors = await context.secondFactors.available(user.id)
    return afterStep(flow, 'password', { amr: ['pwd'], next: factors.length > 0 ? ['second_factor'] : [], userId: user.id }, context.now)
  },
}
