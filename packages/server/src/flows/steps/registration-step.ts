import { afterStep } from '../flow.js'
import type { Step } from './step.js'

/**
 * Creates an account with an email and a password under the password policy (NIST SP 800-63B
 * §5.1.1.2), then counts as a password sign-in (`pwd`). Issue 12 adds `verify_email` after it.
 */
export const registrationStep: Step = {
  name: 'registration',
  async next(flow, input, context) {
    const user = await context.credentials.register({ email: input.email ?? '', password: input.password ?? '' }, context.device)
    return afterStep(flow, 'registration', { amr: ['pwd'], next: [], userId: user.id }, context.now)
  },
}
