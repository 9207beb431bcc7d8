import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CookieSettings } from '../sessions/session-cookie.js'
import { TesseraError } from '../shared/errors.js'
import type { RandomSource } from '../shared/random.js'
import { ensureBinding } from './browser-binding.js'
import { isReturnPath } from './flow-pages.js'
import type { FlowService } from './flow-service.js'
import { SIGN_IN_STEPS } from './login-flow.js'

export interface AccountSignInDeps {
  flows: FlowService
  cookie: CookieSettings
  random: RandomSource
}

/**
 * Sends the browser to the hosted sign-in for one of Tessera's own pages (a first sign-in, or a
 * fresh one where a change needs a recent sign-in: NIST SP 800-63B §6.1.2.1). The login flow
 * serves no client, or names the one a device asks for (RFC 8628, so that its second-factor
 * requirement applies); once it is done it returns to `returnTo`, an account page or the device page.
 */
export function createAccountSignIn(deps: AccountSignInDeps) {
  return async (request: FastifyRequest, reply: FastifyReply, returnTo: string, clientId: string | null = null): Promise<FastifyReply> => {
    if (!isReturnPath(returnTo)) throw new TesseraError('invalid_request')
    const binding = ensureBinding(request, reply, deps.cookie, deps.random)
    const started = deps.flows.start('login', { next: SIGN_IN_STEPS, clientId, context: { returnTo } })
    const flow = await deps.flows.save(started, started, binding)
    return reply.redirect(`/ui/sign-in?request=${flow.id}`, 303)
  }
}
