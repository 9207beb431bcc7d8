import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Accounts } from '../accounts/accounts.js'
import { TesseraError } from '../shared/errors.js'
import { presentUser } from '../users/user.js'
import type { UserStore } from '../users/user-store.js'
import { ADMIN_WRITE } from './admin-api.js'
import { adminCaller } from './admin-auth-hook.js'
import { responses } from './admin-schemas.js'
import { UserBody, UserParams } from './admin-users-schemas.js'

const Accepted = Type.Object({ status: Type.Literal('accepted') })
const write = { permission: ADMIN_WRITE } as const
const tags = ['users']

/** Operators act on a user's email verification and password reset (docs/email.md); the user gets the message, never the operator. */
export function adminAccountRoutes(deps: { accounts: Accounts; userStore: Pick<UserStore, 'findById'> }): FastifyPluginAsyncTypebox {
  const { accounts } = deps
  return async (app) => {
    app.post(
      '/users/:userId/send-verification-email',
      {
        config: write,
        schema: {
          tags,
          summary: 'Send the user a new verification message (link and code); nothing when already verified',
          params: UserParams,
          response: responses({ 202: Accepted }, [404, 503]),
        },
      },
      async (request, reply) => {
        await accounts.verification.request(request.params.userId, adminCaller(request).actor, { operator: true })
        return reply.code(202).send({ status: 'accepted' })
      },
    )

    app.post(
      '/users/:userId/mark-email-verified',
      {
        config: write,
        schema: {
          tags,
          summary: "Vouch for the user's address: email_verified becomes true",
          params: UserParams,
          response: responses({ 200: UserBody }, [404]),
        },
      },
      async (request) => ({
        user: presentUser(await accounts.verification.markVerified(request.params.userId, adminCaller(request).actor)),
      }),
    )

    app.post(
      '/users/:userId/send-password-reset',
      {
        config: write,
        schema: {
          tags,
          summary: 'Send the user a password-reset link (30 minutes, single use); the password stays until they use it',
          params: UserParams,
          response: responses({ 202: Accepted }, [404, 503]),
        },
      },
      async (request, reply) => {
        const user = await deps.userStore.findById(request.params.userId)
        if (!user) throw new TesseraError('user_not_found')
        const caller = adminCaller(request)
        await accounts.passwordReset.request({ email: user.email, ip: caller.actor.ip ?? null, actor: caller.actor, operator: true })
        return reply.code(202).send({ status: 'accepted' })
      },
    )
  }
}
