import { afterStep } from '../flow.js'
import type { Step } from './step.js'

/**
 * Creates an account with an email and a password under the password policy (NIST SP 800-63B
 * §5.1.1.2), then counts as a password sign-in (`pwd`). The account and its session are created in
 * one transaction, handed to the flow through `context.sessionStarted`.
 */
export const registrationStep: Step = {
  name: 'registration',
  async next(flow, input, context) {
    const started = await context.credentials.register({ email: input.email ?? '', password: input.password ?? '' }, context.device)
    context.sessionStarted?.(started)
    return afterStep(flow, 'registration', { amr: ['pwd'], next: [], userId: started.user.id }, context.now)
  },
}
