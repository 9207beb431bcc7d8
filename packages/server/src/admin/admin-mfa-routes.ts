import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { presentFactor } from '../mfa/mfa-factor.js'
import type { MfaService } from '../mfa/mfa-service.js'
import type { UserService } from '../users/user-service.js'
import { ADMIN_READ, ADMIN_WRITE } from './admin-api.js'
import { adminCaller } from './admin-auth-hook.js'
import { responses, Timestamp } from './admin-schemas.js'
import { UserParams } from './admin-users-schemas.js'

export interface AdminMfaDeps {
  users: Pick<UserService, 'get'>
  mfa: Pick<MfaService, 'list' | 'reset' | 'recoveryCodesLeft'>
}

const FactorView = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('totp'), Type.Literal('webauthn')]),
  name: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  backedUp: Type.Optional(Type.Boolean({ description: 'Passkeys only: the credential is synced (backed up) by its provider.' })),
})
const FactorList = Type.Object({
  factors: Type.Array(FactorView, { description: 'Active factors; never a secret or a public key.' }),
  recoveryCodesLeft: Type.Integer({ description: 'Unused recovery codes (the codes themselves are stored hashed).' }),
})
const Reset = Type.Object({ removed: Type.Integer({ description: 'How many factors were removed (recovery codes go too).' }) })

const tags = ['users']

/** A user's second factors (docs/mfa.md, issue 13 §8): list them, or reset them all. */
export function adminMfaRoutes(deps: AdminMfaDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/users/:userId/mfa',
      {
        config: { permission: ADMIN_READ } as const,
        schema: { tags, summary: "List a user's second factors", params: UserParams, response: responses({ 200: FactorList }, [404]) },
      },
      async (request) => {
        const user = await deps.users.get(request.params.userId)
        const [factors, recoveryCodesLeft] = await Promise.all([deps.mfa.list(user.id), deps.mfa.recoveryCodesLeft(user.id)])
        return { factors: factors.map(presentFactor), recoveryCodesLeft }
      },
    )

    app.delete(
      '/users/:userId/mfa',
      {
        config: { permission: ADMIN_WRITE } as const,
        schema: {
          tags,
          summary: "Reset a user's second factors: every factor and recovery code goes, and the user's tokens die",
          params: UserParams,
          response: responses({ 200: Reset }, [404]),
        },
      },
      async (request) => {
        const user = await deps.users.get(request.params.userId)
        return { removed: await deps.mfa.reset(user.id, adminCaller(request).actor) }
      },
    )
  }
}
