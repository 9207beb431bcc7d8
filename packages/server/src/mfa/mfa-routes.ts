import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../events/event-outbox.js'
import { presentFactor } from './mfa-factor.js'
import type { MfaService } from './mfa-service.js'
import type { WebAuthnService } from './webauthn-service.js'

/** The signed-in caller, as the session layer resolves it. */
export interface MfaCaller {
  user: { id: string; email: string }
  session: { authTime: number }
}

export interface MfaRoutesDeps {
  mfa: MfaService
  webauthn: WebAuthnService
  /** A preHandler that authenticates the session (cookie or bearer) and refuses cross-site cookie use. */
  authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  /** The caller resolved by `authenticate`. */
  caller: (request: FastifyRequest) => MfaCaller
}

const Name = Type.String({ maxLength: 64 })
const TotpBody = Type.Object({ name: Type.Optional(Name) }, { additionalProperties: false })
const RenameBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })
const ConfirmBody = Type.Object({ code: Type.String({ maxLength: 16 }) }, { additionalProperties: false })
const FactorParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false })
// The browser's PublicKeyCredential serialised as JSON; @simplewebauthn/server checks its inside.
const Credential = Type.Object({ id: Type.String({ maxLength: 1024 }), type: Type.Literal('public-key') }, { additionalProperties: true })
const RegistrationBody = Type.Object(
  { challengeId: Type.String({ maxLength: 64 }), response: Credential, name: Type.Optional(Name) },
  { additionalProperties: false },
)

/**
 * A user's own second factors over the JSON API (issue 13 §5): authenticator apps, passkeys and
 * recovery codes. Adding or removing a factor needs a sign-in within the last five minutes.
 */
export function mfaRoutes(deps: MfaRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', deps.authenticate)
    // A state change made with the session cookie must come from our own origin (http/csrf.ts).
    const csrf = 'cookie' as const
    app.addHook('onSend', async (_request, reply) => {
      // Secrets and recovery codes travel in these answers: never cached (RFC 9111 §5.2.2.5).
      reply.header('cache-control', 'no-store')
    })

    app.get('/v1/mfa', async (request) => {
      const factors = await deps.mfa.list(deps.caller(request).user.id)
      return { factors: factors.map(presentFactor) }
    })

    app.post('/v1/mfa/totp', { config: { csrf }, schema: { body: TotpBody } }, async (request, reply) => {
      const { user, session } = deps.caller(request)
      const begun = await deps.mfa.beginTotp({
        userId: user.id,
        account: user.email,
        authTime: session.authTime,
        ...(request.body.name !== undefined ? { name: request.body.name } : {}),
      })
      return reply.code(201).send({ id: begun.factorId, secret: begun.secret, uri: begun.uri })
    })

    app.post('/v1/mfa/totp/confirm', { config: { csrf }, schema: { body: ConfirmBody } }, async (request) => {
      const { user, session } = deps.caller(request)
      const confirmed = await deps.mfa.confirmTotp({
        userId: user.id,
        code: request.body.code,
        authTime: session.authTime,
        actor: actorOf(request, deps),
      })
      return { id: confirmed.factorId, recoveryCodes: confirmed.recoveryCodes }
    })

    app.post('/v1/mfa/webauthn/options', { config: { csrf } }, async (request) => {
      const { user, session } = deps.caller(request)
      return deps.webauthn.beginRegistration({ userId: user.id, userName: user.email, authTime: session.authTime })
    })

    app.post('/v1/mfa/webauthn', { config: { csrf }, schema: { body: RegistrationBody } }, async (request, reply) => {
      const { user, session } = deps.caller(request)
      const { factor, recoveryCodes } = await deps.webauthn.finishRegistration({
        userId: user.id,
        challengeId: request.body.challengeId,
        response: request.body.response as unknown as RegistrationResponseJSON,
        authTime: session.authTime,
        actor: actorOf(request, deps),
        ...(request.body.name !== undefined ? { name: request.body.name } : {}),
      })
      return reply.code(201).send({ ...presentFactor(factor), recoveryCodes })
    })

    app.post('/v1/mfa/recovery-codes', { config: { csrf } }, async (request) => {
      const { user, session } = deps.caller(request)
      const codes = await deps.mfa.regenerateRecoveryCodes({ userId: user.id, authTime: session.authTime, actor: actorOf(request, deps) })
      return { recoveryCodes: codes }
    })

    // A passkey's (or an app's) name, as the user calls it; the user's own factors only.
    app.patch('/v1/mfa/:id', { config: { csrf }, schema: { params: FactorParams, body: RenameBody } }, async (request) => {
      const { user } = deps.caller(request)
      const renamed = await deps.mfa.rename({
        userId: user.id,
        factorId: request.params.id,
        name: request.body.name,
        actor: actorOf(request, deps),
      })
      return presentFactor(renamed)
    })

    app.delete('/v1/mfa/:id', { config: { csrf }, schema: { params: FactorParams } }, async (request, reply) => {
      const { user, session } = deps.caller(request)
      await deps.mfa.remove({ userId: user.id, factorId: request.params.id, authTime: session.authTime, actor: actorOf(request, deps) })
      return reply.code(204).send()
    })
  }
}

function actorOf(request: FastifyRequest, deps: MfaRoutesDeps): Actor {
  return { kind: 'user', id: deps.caller(request).user.id, ip: request.ip }
}
