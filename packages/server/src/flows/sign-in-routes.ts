import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { SessionPolicy } from '../sessions/session.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import { clientDevice } from './client-device.js'
import type { StepName } from './flow.js'
import type { FlowService } from './flow-service.js'
import { type LoginFlow, SIGN_IN_STEPS } from './login-flow.js'
import { sessionResponse } from './session-response.js'
import { ChallengeBody, CredentialsBody, EnrolmentConfirmBody, PasskeyBody, SecondFactorBody } from './sign-in-schemas.js'
import { passwordTime } from './steps/second-factor-enrolment-step.js'
import type { SecondFactors } from './steps/step.js'

export interface SignInRoutesDeps {
  flows: FlowService
  login: LoginFlow
  random: RandomSource
  cookie: CookieSettings
  policy: SessionPolicy
  rateLimit: { max: number; timeWindow: number }
  clock: Clock
  /** What second factors a user has, for the `mfaRequired` answer. */
  secondFactors: Pick<SecondFactors, 'available'>
  /** WebAuthn assertion options for a user's second factor. */
  webauthnOptions: (userId: string | null) => Promise<{ challengeId: string; options: unknown }>
  /** The authenticator app a user enrols while signing in, where a factor is required (docs/mfa.md "Policy"). */
  enrolment: (userId: string, authTime: number) => Promise<{ secret: string; uri: string }>
}

/** The steps a JSON sign-in can wait on, answered through a challenge. */
const PENDING_STEPS = ['second_factor', 'second_factor_enrolment'] as const

/**
 * What `POST /v1/sign-up` answers under `signUp.requireVerifiedEmail`, whether the address was
 * new or already had an account (OWASP Authentication Cheat Sheet, "Account creation").
 */
export const VERIFICATION_SENT = {
  status: 'verification_sent',
  message: 'Check your inbox: a message is on its way to this address. Confirm the address, then sign in.',
} as const

/** The opaque challenge of a pending second factor: the flow's id and the secret it is bound to. */
const CHALLENGE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/

/**
 * `POST /v1/sign-up` and `POST /v1/sign-in`: the JSON API drives the same login flow as the
 * hosted pages, in one request. The flow starts, its first step runs (`registration` or
 * `password`), and once it has authenticated the user it ends with the session; a flow done within
 * one request is never stored.
 */
export function signInRoutes(deps: SignInRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    // One per-IP limiter shared by both routes, so they share one budget (a route-level
    // `config.rateLimit` gives each route a store, and so a budget, of its own).
    const onRequest = app.rateLimit(deps.rateLimit)
    // Login CSRF (OWASP CSRF Prevention Cheat Sheet): a cross-site page must not sign the
    // browser into the attacker's account (http/csrf.ts).
    const config = { csrf: 'reject' } as const

    const run = async (step: StepName, body: Readonly<Record<string, string | undefined>>, device: ReturnType<typeof clientDevice>) => {
      const flow = deps.flows.start('login', { next: SIGN_IN_STEPS })
      // A flow done in one request is never stored. One that waits for a second factor is stored,
      // bound to this secret, which the client gets back inside the challenge (a JSON client has
      // no cookie to bind it to).
      const secret = randomToken(deps.random, 32)
      const { outcome, signedIn } = await deps.login.submit(flow, () => secret, step, body, device, null)
      // signUp.requireVerifiedEmail: the flow waits for the address (docs/email.md); these one-request
      // routes keep their answers (202 for a sign-up, new or taken; 403 for a sign-in), and a client
      // that wants the step drives it through /v1/flows.
      if (outcome.kind === 'continue' && outcome.flow.next.includes('verify_email')) return { verificationSent: true as const }
      const waiting = outcome.kind === 'continue' ? PENDING_STEPS.find((each) => outcome.flow.next.includes(each)) : undefined
      if (outcome.kind === 'continue' && waiting && outcome.flow.userId !== null) {
        return { pending: { challenge: `${outcome.flow.id}.${secret}`, userId: outcome.flow.userId, step: waiting } }
      }
      if (outcome.kind !== 'done' || !signedIn) throw new TesseraError('internal_error')
      return { signedIn }
    }

    /** The JSON answer naming the pending step (docs/mfa.md): a second factor, or its enrolment. */
    const pendingAnswer = async (pending: { challenge: string; userId: string; step: (typeof PENDING_STEPS)[number] }) =>
      pending.step === 'second_factor'
        ? { mfaRequired: true, challenge: pending.challenge, factors: await deps.secondFactors.available(pending.userId) }
        : { mfaEnrolmentRequired: true, challenge: pending.challenge, factors: ['totp'] }

    /** The pending login flow a challenge names; the same 400 `flow_expired` for every way it can be wrong. */
    const pendingFlow = async (challenge: string, step: (typeof PENDING_STEPS)[number] = 'second_factor') => {
      const match = CHALLENGE.exec(challenge)
      const flow = await deps.flows.load(match?.[1], match?.[2] ?? null, 'login')
      if (!flow.next.includes(step) || flow.userId === null) throw new TesseraError('flow_expired')
      return { flow, secret: match?.[2] as string, userId: flow.userId }
    }

    app.post('/v1/sign-up', { schema: { body: CredentialsBody }, config, onRequest }, async (request, reply) => {
      const result = await run('registration', request.body, clientDevice(request))
      // signUp.requireVerifiedEmail: no session, and the same answer for a new address and a taken one.
      if (result.verificationSent) return reply.code(202).header('cache-control', 'no-store').send(VERIFICATION_SENT)
      if (result.pending) {
        // Where a second factor is required, the new account enrols one before its first session.
        reply.header('cache-control', 'no-store')
        return reply.code(201).send(await pendingAnswer(result.pending))
      }
      if (!result.signedIn) throw new TesseraError('internal_error')
      return sessionResponse(reply.code(201), result.signedIn, request.body.transport, deps)
    })

    app.post('/v1/sign-in', { schema: { body: CredentialsBody }, config, onRequest }, async (request, reply) => {
      const result = await run('password', request.body, clientDevice(request))
      // Told only after the right password (auth/auth-service.ts).
      if (result.verificationSent) throw new TesseraError('email_not_verified')
      if (result.pending) {
        // Issue 13 §5: a right password for a user with a second factor (or who must enrol one)
        // issues no session yet.
        reply.header('cache-control', 'no-store')
        return pendingAnswer(result.pending)
      }
      return sessionResponse(reply, result.signedIn, request.body.transport, deps)
    })

    app.post('/v1/sign-in/mfa', { schema: { body: SecondFactorBody }, config, onRequest }, async (request, reply) => {
      const { flow, secret } = await pendingFlow(request.body.challenge)
      const { factor, code, webauthnChallengeId, assertion } = request.body
      const input = {
        factor,
        code,
        webauthnChallengeId,
        ...(assertion !== undefined ? { assertion: JSON.stringify(assertion) } : {}),
      }
      const { outcome, signedIn } = await deps.login.submit(flow, () => secret, 'second_factor', input, clientDevice(request), null)
      if (outcome.kind !== 'done' || !signedIn) throw new TesseraError('internal_error')
      return sessionResponse(reply, signedIn, request.body.transport, deps)
    })

    app.post('/v1/sign-in/mfa/webauthn-options', { schema: { body: ChallengeBody }, config, onRequest }, async (request, reply) => {
      const { userId } = await pendingFlow(request.body.challenge)
      reply.header('cache-control', 'no-store')
      return deps.webauthnOptions(userId)
    })

    // docs/mfa.md "Policy": enrolment of an authenticator app as a step of the sign-in.
    app.post('/v1/sign-in/mfa/enrol', { schema: { body: ChallengeBody }, config, onRequest }, async (request, reply) => {
      const { flow, userId } = await pendingFlow(request.body.challenge, 'second_factor_enrolment')
      const since = passwordTime(flow, deps.clock.now())
      if (since === null) throw new TesseraError('flow_expired')
      reply.header('cache-control', 'no-store')
      return reply.code(201).send(await deps.enrolment(userId, since))
    })

    app.post('/v1/sign-in/mfa/enrol/confirm', { schema: { body: EnrolmentConfirmBody }, config, onRequest }, async (request, reply) => {
      const { flow, secret } = await pendingFlow(request.body.challenge, 'second_factor_enrolment')
      const input = { code: request.body.code }
      const submitted = await deps.login.submit(flow, () => secret, 'second_factor_enrolment', input, clientDevice(request), null)
      if (submitted.outcome.kind !== 'done' || !submitted.signedIn) throw new TesseraError('internal_error')
      return { ...sessionResponse(reply, submitted.signedIn, request.body.transport, deps), recoveryCodes: submitted.recoveryCodes ?? null }
    })

    // docs/mfa.md "Passkeys": sign-in with a passkey alone, for first-party JSON clients.
    app.post('/v1/sign-in/passkey/options', { config, onRequest }, async (_request, reply) => {
      reply.header('cache-control', 'no-store')
      return deps.webauthnOptions(null)
    })

    app.post('/v1/sign-in/passkey', { schema: { body: PasskeyBody }, config, onRequest }, async (request, reply) => {
      const { webauthnChallengeId, assertion, transport } = request.body
      const result = await run('passkey', { webauthnChallengeId, assertion: JSON.stringify(assertion) }, clientDevice(request))
      if (!result.signedIn) throw new TesseraError('internal_error')
      return sessionResponse(reply, result.signedIn, transport, deps)
    })
  }
}
