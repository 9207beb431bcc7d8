import { TesseraError } from '../../shared/errors.js'
import { afterStep } from '../flow.js'
import type { Step } from './step.js'

/**
 * The first step of a recovery flow (issue 12; OWASP Forgot Password Cheat Sheet): the address.
 * It answers the same whether or not the address has an account (the message, if any, is composed
 * later by the email fan-out), and the flow always goes on to `recovery_code`; the account, if
 * any, is kept on the server side of the flow only. Sent again, it asks for a new message.
 */
export const recoveryEmailStep: Step = {
  name: 'recovery_email',
  async next(flow, input, context) {
    if (!context.recovery) throw new TesseraError('flow_expired')
    const email = (input.email ?? '').trim()
    const { userId, credentialStamp } = await context.recovery.request(email, context.device)
    const asked = { ...flow, userId: null, context: { ...flow.context, recovery: { email, userId, credentialStamp } } }
    return afterStep(asked, 'recovery_email', { amr: [], next: ['recovery_code'] }, context.now)
  },
}
