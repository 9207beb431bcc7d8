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
    const credentials = { email: input.email ?? '', password: input.password ?? '' }
    // Issue 12, signUp.requireVerifiedEmail: no session until the address is verified, and the
    // same flow for a new address and a taken one (OWASP Authentication Cheat Sheet, "Account
    // creation"): both wait on verify_email; only a new account (the flow's user) can ever pass it.
    if (context.verification) {
      const { userId } = await context.verification.signUp(credentials, context.device)
      const email = credentials.email.trim()
      const waiting = { ...flow, userId, context: { ...flow.context, verification: { email } } }
      return { ...afterStep(waiting, 'registration', { amr: ['pwd'], next: ['verify_email'] }, context.now), userId }
    }
    // With the setting off, the person may choose to verify the address now, in the flow (the
    // account is created at once, as ever; its session waits for the step, which may be skipped).
    if (context.offerVerification && input.verifyEmail === 'now') {
      const user = await context.credentials.createAccount(credentials, context.device)
      const waiting = { ...flow, context: { ...flow.context, verification: { email: user.email, optional: true } } }
      return afterStep(waiting, 'registration', { amr: ['pwd'], next: ['verify_email'], userId: user.id }, context.now)
    }
    // docs/mfa.md "Policy": the new account must add a second factor before its first session.
    if (await context.secondFactors.required(flow.clientId)) {
      const user = await context.credentials.createAccount(credentials, context.device)
      return afterStep(flow, 'registration', { amr: ['pwd'], next: ['second_factor_enrolment'], userId: user.id }, context.now)
    }
    const started = await context.credentials.register(credentials, context.device)
    context.sessionStarted?.(started)
    return afterStep(flow, 'registration', { amr: ['pwd'], next: [], userId: started.user.id }, context.now)
  },
}
