import { TesseraError } from '../../shared/errors.js'
import { afterStep } from '../flow.js'
import { secondFactorNext } from './second-factor-next.js'
import type { Step } from './step.js'

/**
 * Issue 12, `signUp.requireVerifiedEmail`: the address must be verified before the session starts.
 * With the setting off, a registration may choose the step (`verifyEmail: "now"`), and then
 * `action: "skip"` goes on without it. Inputs: `code`, the 6-digit code of the message (accounts/ counts the wrong tries);
 * `action: "resend"`, a new message (throttled), which leaves the step waiting; or nothing, which
 * goes on if the address was verified meanwhile, by the message's link on any device (so the flow
 * continues when it is polled or its page refreshed) and refuses with `email_not_verified` if not.
 * Proves no authentication method: the address is a fact about the account, not a factor.
 */
export const verifyEmailStep: Step = {
  name: 'verify_email',
  async next(flow, input, context) {
    const waiting = flow.context.verification
    // Required by the setting, or chosen at registration while the setting is off (then optional).
    const verification = waiting?.optional ? context.offerVerification : context.verification
    if (!verification || waiting === undefined) throw new TesseraError('flow_expired')
    if (input.action === 'resend') {
      await verification.resend(waiting.email, context.device)
      return flow
    }
    const code = input.code
    if (input.action === 'skip' && waiting.optional) {
      // Chosen, not required: the person may go on without it (the message's link still works later).
    } else if (code !== undefined && code !== '') {
      await verification.confirmCode(flow.userId, flow.id, code, context.device)
    } else if (flow.userId === null || !(await verification.isVerified(flow.userId))) {
      throw new TesseraError('email_not_verified')
    }
    // A code never matches a flow without a user; fail closed all the same.
    const userId = flow.userId
    if (userId === null) throw new TesseraError('verification_code_invalid')
    const { verification: _sent, ...rest } = flow.context
    const next = await secondFactorNext(userId, flow.clientId, context)
    return afterStep({ ...flow, context: rest }, 'verify_email', { amr: [], next }, context.now)
  },
}
