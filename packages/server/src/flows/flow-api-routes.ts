import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { SessionPolicy } from '../sessions/session.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import { clientDevice } from './client-device.js'
import type { Flow } from './flow.js'
import type { FlowService } from './flow-service.js'
import { type LoginFlow, SIGN_IN_STEPS } from './login-flow.js'
import type { RecoveryFlow } from './recovery-flow.js'
import { sessionResponse } from './session-response.js'
import { FLOW_TOKEN_HEADER, FlowParams, StartFlowBody, SubmitStepBody } from './sign-in-schemas.js'
import type { UpstreamApi } from './upstream-api.js'

export interface FlowApiRoutesDeps {
  flows: FlowService
  login: LoginFlow
  /** Forgotten passwords (issue 12): `{"type":"recovery"}`. */
  recovery: RecoveryFlow
  random: RandomSource
  cookie: CookieSettings
  policy: SessionPolicy
  rateLimit: { max: number; timeWindow: number }
  /** Upstream sign-ins for first-party apps (issue 15 part 2). */
  upstream: Pick<UpstreamApi, 'checkClient' | 'begin' | 'redeem'>
  /** WebAuthn assertion options for any discoverable passkey, user verification required (the `passkey` step). */
  passkeyOptions: () => Promise<{ challengeId: string; options: unknown }>
}

/** The flows a JSON client may drive. */
const API_FLOWS = ['login', 'recovery'] as const

/** What a client may see of a flow: never its hashes, nor whom it concerns. */
export function presentFlow(flow: Flow) {
  return {
    id: flow.id,
    type: flow.type,
    next: flow.next,
    done: flow.done.map((done) => ({ step: done.step, at: new Date(done.at).toISOString() })),
    expiresAt: new Date(flow.expiresAt).toISOString(),
    // Issue 15 §3: an upstream identity waits for the owner of this address to sign in (the password step).
    ...(flow.context.link ? { link: { connection: flow.context.link.connectionName, email: flow.context.link.email } } : {}),
  }
}

/**
 * The flow API for first-party JSON clients: start a login flow (`POST /v1/flows`), read it
 * (`GET /v1/flows/{id}`) and submit its next step (`POST /v1/flows/{id}`). It drives the same flows
 * and steps as the hosted pages; instead of the browser's binding cookie, the flow is bound to a
 * secret returned once at creation, sent back in the `Tessera-Flow-Token` header (a cross-site page
 * can neither read it nor attach it without a CORS preflight). `/v1/sign-in` is this API in one request.
 */
export function flowApiRoutes(deps: FlowApiRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const onRequest = app.rateLimit(deps.rateLimit)
    const config = { csrf: 'reject' } as const

    const tokenOf = (request: FastifyRequest): string | null => {
      const value = request.headers[FLOW_TOKEN_HEADER]
      return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null
    }

    app.post('/v1/flows', { schema: { body: StartFlowBody }, config, onRequest }, async (request, reply) => {
      const { clientId, type } = request.body
      if (clientId !== undefined) await deps.upstream.checkClient(clientId)
      const token = randomToken(deps.random, 32)
      const started =
        type === 'recovery' ? deps.recovery.start() : deps.flows.start('login', { next: SIGN_IN_STEPS, clientId: clientId ?? null })
      const flow = await deps.flows.save(started, started, token)
      reply.header('cache-control', 'no-store')
      return reply.code(201).send({ flow: presentFlow(flow), token })
    })

    app.get('/v1/flows/:id', { schema: { params: FlowParams }, onRequest }, async (request, reply) => {
      const flow = await deps.flows.load(request.params.id, tokenOf(request), API_FLOWS)
      reply.header('cache-control', 'no-store')
      return { flow: presentFlow(flow) }
    })

    app.post('/v1/flows/:id', { schema: { params: FlowParams, body: SubmitStepBody }, config, onRequest }, async (request, reply) => {
      const token = tokenOf(request)
      const loaded = await deps.flows.load(request.params.id, token, API_FLOWS)
      const { step, transport, assertion, connectionId, returnTo, state, returnCode, verifyEmail, ...fields } = request.body
      reply.header('cache-control', 'no-store')
      if (loaded.type === 'recovery') {
        // The same answer for every address at each step (docs/email.md); the last one ends the flow.
        const outcome = await deps.recovery.submit(loaded, () => token as string, step, fields, clientDevice(request))
        return { flow: presentFlow(outcome.flow) }
      }
      // Issue 15 part 2: the upstream step answers the upstream's authorization URL, and later
      // takes the return code its callback gave the app (flows/upstream-api.ts).
      if (step === 'upstream' && returnCode === undefined) {
        const begun = await deps.upstream.begin(loaded, token as string, { connectionId, returnTo, state }, request.ip)
        return { flow: presentFlow(begun.flow), redirectTo: begun.url }
      }
      // docs/mfa.md "Passkeys": `passkey` without an assertion answers the options for
      // navigator.credentials.get() (a challenge of its own, single use, five minutes); with one, signs in.
      if (step === 'passkey' && assertion === undefined) {
        if (loaded.type !== 'login') throw new TesseraError('flow_expired', { detail: 'the flow does not expect the step passkey' })
        return { flow: presentFlow(loaded), passkey: await deps.passkeyOptions() }
      }
      const flow = step === 'upstream' ? await deps.upstream.redeem(loaded, token as string, returnCode) : loaded
      const input = {
        ...fields,
        ...(assertion !== undefined ? { assertion: JSON.stringify(assertion) } : {}),
        ...(verifyEmail === true ? { verifyEmail: 'now' } : {}),
      }
      const submitted = await deps.login.submit(flow, () => token as string, step, input, clientDevice(request), null)
      const { outcome, signedIn, recoveryCodes } = submitted
      // An API flow serves no authorization request, so it continues or is done; it never redirects.
      const shown = presentFlow(outcome.kind === 'redirect' ? flow : outcome.flow)
      // Recovery codes issued by an enrolment during the flow are in this answer only (docs/mfa.md).
      const codes = recoveryCodes ? { recoveryCodes } : {}
      return signedIn ? { flow: shown, ...sessionResponse(reply, signedIn, transport, deps), ...codes } : { flow: shown, ...codes }
    })
  }
}
