import { TesseraError } from '../../shared/errors.js'
import { afterStep } from '../flow.js'
import type { Step } from './step.js'

/**
 * The end of a recovery flow (issue 12): the new password, under the password policy (NIST SP
 * 800-63B §5.1.1.2; a refused one leaves the step waiting). Setting it revokes every session of
 * the user, raises the token version, kills every reset link and code, and tells the owner; a
 * password changed meanwhile by any path (the message's link on another device) refuses it with
 * `account_token_used`. The user then signs in afresh with it: the flow starts no session.
 */
export const newPasswordStep: Step = {
  name: 'new_password',
  async next(flow, input, context) {
    const recovery = flow.context.recovery
    const proven = flow.done.some((done) => done.step === 'recovery_code')
    if (!context.recovery || !recovery || !proven || flow.userId === null || flow.userId !== recovery.userId) {
      throw new TesseraError('flow_expired')
    }
    await context.recovery.setPassword(flow.userId, recovery.credentialStamp, input.password ?? '', context.device)
    return afterStep(flow, 'new_password', { amr: [], next: [] }, context.now)
  },
}
