import { TesseraError } from '../../shared/errors.js'
import { afterStep } from '../flow.js'
import type { Step } from './step.js'

/**
 * The user allows or denies a third-party client's request (OIDC Core §3.1.2.4). Pure: the consent
 * is written when the code is issued, in the same transaction. A denial is RFC 6749 §4.1.2.1's
 * `access_denied`, which the flow sends back to the client.
 */
export const consentStep: Step = {
  name: 'consent',
  async next(flow, input, context) {
    if (input.decision === 'deny') throw new TesseraError('access_denied')
    if (input.decision !== 'allow') throw new TesseraError('invalid_request', { detail: 'Choose Allow or Deny.' })
    return afterStep(flow, 'consent', { amr: [], next: [] }, context.now)
  },
}
