import { afterStep } from '../flow.js'
import type { Step } from './step.js'

/**
 * The signed-in user confirms a sign-out the relying party asked for without an ID token hint
 * (OIDC RP-Initiated Logout 1.0 §6: logout CSRF). Pure: the form's token already proved it came
 * from our own page in this browser.
 */
export const confirmLogoutStep: Step = {
  name: 'confirm_logout',
  async next(flow, _input, context) {
    return afterStep(flow, 'confirm_logout', { amr: [], next: [] }, context.now)
  },
}
