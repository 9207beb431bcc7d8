import { TesseraError } from '../../shared/errors.js'
import { afterStep, type Flow } from '../flow.js'
import type { Step } from './step.js'

/**
 * Signs in through an upstream identity provider (issue 15). The callback route has checked the
 * round trip (state bound to this flow and browser, single use, PKCE, the ID token) and put the
 * verified profile on the flow in memory; nothing a client sends can stand in for it. A known
 * upstream user signs in to the linked account, with the account's second factor if it has one; a
 * new one gets an account when the connection allows it; an address that belongs to an existing
 * account waits for the owner to prove control of it (the `password` step next), never linking
 * silently. Proves `fed` (RFC 8176 §2).
 */
export const upstreamStep: Step = {
  name: 'upstream',
  async next(flow, _input, context) {
    const round = flow.context.upstream
    const verified = round?.verified
    if (!verified || !context.upstream) throw new TesseraError('flow_expired')
    const { upstream: _done, ...rest } = flow.context
    const base: Flow = { ...flow, context: rest }
    // docs/mfa.md "Policy": where a second factor is required, a user without one enrols one first.
    const required = await context.secondFactors.required(flow.clientId)
    const outcome = await context.upstream.signIn(verified, context.device, { startSession: !required })
    if (outcome.kind === 'link') {
      return afterStep(
        { ...base, userId: null, context: { ...rest, link: outcome.link } },
        'upstream',
        { amr: [], next: ['password'] },
        context.now,
      )
    }
    if (outcome.kind === 'created') {
      if (outcome.started) context.sessionStarted?.(outcome.started)
      const next = outcome.started ? [] : (['second_factor_enrolment'] as const)
      return afterStep(
        base,
        'upstream',
        { amr: ['fed'], next: [...next], userId: outcome.userId, connectionId: verified.connectionId },
        context.now,
      )
    }
    // Issue 13: a user with a second factor answers it after the upstream too.
    const factors = await context.secondFactors.available(outcome.userId)
    const next = factors.length > 0 ? (['second_factor'] as const) : required ? (['second_factor_enrolment'] as const) : []
    return afterStep(
      base,
      'upstream',
      { amr: ['fed'], next: [...next], userId: outcome.userId, connectionId: verified.connectionId },
      context.now,
    )
  },
}
