import { afterStep } from '../flow.js'
import type { Step } from './step.js'

/**
 * Sign-in with a passkey alone (docs/mfa.md "Passkeys"): a discoverable credential answers the
 * challenge with user verification, which makes it multi-factor on its own (something held, and
 * a PIN or biometric checked by the authenticator: NIST SP 800-63B §5.1.8, WebAuthn Level 3
 * §6.2.3), and phishing-resistant (bound to our origin and RP id). Proves `hwk` and `user`
 * (RFC 8176 §2), so the session's acr is `urn:tessera:acr:phr` and no second factor follows.
 */
export const passkeyStep: Step = {
  name: 'passkey',
  async next(flow, input, context) {
    const { userId, amr } = await context.secondFactors.passwordless(input, context.device)
    return afterStep(flow, 'passkey', { amr, next: [], userId }, context.now)
  },
}
