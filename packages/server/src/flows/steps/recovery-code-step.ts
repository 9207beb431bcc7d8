import { TesseraError } from '../../shared/errors.js'
import { afterStep } from '../flow.js'
import type { Step } from './step.js'

/**
 * The code of the reset message (issue 12): 6 digits, 10 minutes, 5 wrong tries, single use, and
 * bound to the password it was sent for. `action: "resend"` asks for a new message (throttled)
 * and leaves the step waiting. A flow whose address has no account gets the same answers and
 * never passes. Once past it, the flow knows whose password it may set: `new_password` next.
 */
export const recoveryCodeStep: Step = {
  name: 'recovery_code',
  async next(flow, input, context) {
    const recovery = flow.context.recovery
    if (!context.recovery || !recovery) throw new TesseraError('flow_expired')
    if (input.action === 'resend') {
      const again = await context.recovery.request(recovery.email, context.device)
      return { ...flow, context: { ...flow.context, recovery: { ...recovery, ...again } } }
    }
    const { credentialStamp } = await context.recovery.confirmCode(recovery.userId, flow.id, input.code ?? '')
    // A code never matches a flow without a user; fail closed all the same.
    if (recovery.userId === null) throw new TesseraError('verification_code_invalid')
    const proven = { ...flow, context: { ...flow.context, recovery: { ...recovery, credentialStamp } } }
    return afterStep(proven, 'recovery_code', { amr: [], next: ['new_password'], userId: recovery.userId }, context.now)
  },
}
