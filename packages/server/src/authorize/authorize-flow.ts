import type { FastifyReply } from 'fastify'
import type { Application } from '../applications/application.js'
import type { Authenticated } from '../sessions/session-service.js'
import type { AuthorizationParameters } from './authorization-request.js'
import type { AuthorizeService } from './authorize-service.js'
import type { PendingRequest } from './pending-request-store.js'

export interface FlowState {
  params: AuthorizationParameters
  application: Application
  auth: Authenticated | null
  pending: PendingRequest | null
  /** Gives the browser's binding secret, setting the cookie if needed (only when a pending request is created). */
  binding: () => string
}

/**
 * Moves an authorization request one step on: back to the client with a code or an error, or to
 * the sign-in or consent page with the request kept server-side. Every answer is a 303.
 */
export async function proceed(authorize: AuthorizeService, reply: FastifyReply, state: FlowState): Promise<FastifyReply> {
  const { params, application, auth } = state
  const session = auth ? { authTime: auth.session.authTime, userId: auth.user.id } : null
  const step = await authorize.decide(params, application, session, state.pending?.createdAt ?? null)
  if (step.kind === 'error') {
    if (state.pending) await authorize.endPending(state.pending.id)
    return reply.redirect(authorize.errorUrl(params, step.code), 303)
  }
  if (step.kind === 'issue' && auth) {
    const url = await authorize.issueCode(
      params,
      { id: auth.session.id, userId: auth.user.id, authTime: auth.session.authTime },
      state.pending?.id ?? null,
    )
    return reply.redirect(url, 303)
  }
  const pendingId = state.pending?.id ?? (await authorize.createPending(params, state.binding())).id
  const page = step.kind === 'consent' ? '/ui/consent' : '/ui/sign-in'
  return reply.redirect(`${page}?request=${pendingId}`, 303)
}
