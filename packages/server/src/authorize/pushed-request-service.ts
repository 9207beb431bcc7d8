import type { Application } from '../applications/application.js'
import type { Clock } from '../shared/clock.js'
import { sha256 } from '../shared/digest.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import { type CheckDeps, checkAuthorizationRequest } from './check-authorization-request.js'
import type { PushedRequestStore } from './pushed-request-store.js'

/** RFC 9126 §2.2: the URN namespace of pushed requests' references. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:'

/** RFC 9126 §2.2 suggests a short lifetime: the time to send the browser to the authorization endpoint. */
export const PUSHED_REQUEST_TTL_SECONDS = 60

/** Parameters that authenticate the client at the PAR endpoint; never part of the stored request. */
const CLIENT_AUTHENTICATION = new Set(['client_secret', 'client_assertion', 'client_assertion_type'])

export interface PushedRequestServiceDeps extends CheckDeps {
  store: PushedRequestStore
  clock: Clock
  random: RandomSource
}

export type PushedRequestService = ReturnType<typeof createPushedRequestService>

/**
 * Pushed authorization requests (RFC 9126): a client sends the authorization request to
 * `/oauth/par`, authenticated, and gets a short-lived, single-use `request_uri` that the browser
 * then carries to `/oauth/authorize` with the `client_id` alone. The request is checked by the same
 * pipeline when pushed (errors go back to the client directly) and again when used.
 */
export function createPushedRequestService(deps: PushedRequestServiceDeps) {
  return {
    /** `proofJkt`: the key of the request's checked DPoP proof (RFC 9449 §10.1), or null. */
    async push(
      application: Application,
      body: unknown,
      proofJkt: string | null = null,
    ): Promise<{ request_uri: string; expires_in: number }> {
      const parameters = readPushedParameters(body)
      if (proofJkt !== null) {
        // RFC 9449 §10.1: a DPoP proof on the pushed request binds the code to its key; a
        // dpop_jkt beside it must name that same key, or the request is refused.
        if ((parameters.dpop_jkt ?? []).some((jkt) => jkt !== proofJkt))
          throw new TesseraError('invalid_request', { detail: "dpop_jkt does not match the DPoP proof's key" })
        parameters.dpop_jkt = [proofJkt]
      }
      // RFC 9126 §2.1: a pushed request must not itself refer to another one.
      if (parameters.request_uri) throw new TesseraError('invalid_request', { detail: 'request_uri must not be pushed' })
      const clientIds = parameters.client_id ?? []
      // RFC 9126 §2.1: the client_id of the request is the client that authenticated.
      if (clientIds.some((id) => id !== application.id)) {
        throw new TesseraError('invalid_request', { detail: 'client_id does not match the authenticated client' })
      }
      parameters.client_id = [application.id]
      const checked = await checkAuthorizationRequest(parameters, deps, { pushed: true })
      // RFC 9126 §2.3: every error is answered to the client, as at the token endpoint.
      if (checked.kind !== 'ok') throw checked.error
      const now = deps.clock.now()
      const reference = randomToken(deps.random, 32)
      await deps.store.insert({
        id: sha256(reference),
        clientId: application.id,
        parameters,
        createdAt: now,
        expiresAt: now + PUSHED_REQUEST_TTL_SECONDS * 1000,
      })
      return { request_uri: `${REQUEST_URI_PREFIX}${reference}`, expires_in: PUSHED_REQUEST_TTL_SECONDS }
    },

    /**
     * The parameters an authorization request stands for: a pushed request's, consumed once, when
     * it carries a `request_uri` of ours (RFC 9126 §4, which then ignores anything but `client_id`),
     * or its own otherwise.
     */
    async resolve(raw: unknown): Promise<{ parameters: unknown; pushed: boolean }> {
      if (!raw || typeof raw !== 'object') return { parameters: raw, pushed: false }
      const requestUri = (raw as Record<string, unknown>).request_uri
      if (typeof requestUri !== 'string' || !requestUri.startsWith(REQUEST_URI_PREFIX)) return { parameters: raw, pushed: false }
      const clientId = (raw as Record<string, unknown>).client_id
      if (typeof clientId !== 'string' || clientId === '') throw new TesseraError('invalid_request', { detail: 'client_id is required' })
      const reference = requestUri.slice(REQUEST_URI_PREFIX.length)
      const found = /^[A-Za-z0-9_-]{43}$/.test(reference) ? await deps.store.consume(sha256(reference), clientId, deps.clock.now()) : null
      if (!found) throw new TesseraError('invalid_request_uri')
      return { parameters: found.parameters, pushed: true }
    },

    prune: (now: number) => deps.store.prune(now),
  }
}

/** The form's parameters as lists of non-empty strings, without client authentication; a malformed value is refused. */
function readPushedParameters(body: unknown): Record<string, string[]> {
  if (!body || typeof body !== 'object') throw new TesseraError('invalid_request', { detail: 'the body must be a form' })
  const parameters: Record<string, string[]> = {}
  const entries = Object.entries(body as Record<string, unknown>)
  if (entries.length > 50) throw new TesseraError('invalid_request', { detail: 'too many parameters' })
  for (const [name, value] of entries) {
    if (CLIENT_AUTHENTICATION.has(name)) continue
    const list = (Array.isArray(value) ? value : [value]).filter((item) => item !== '')
    if (list.some((item) => typeof item !== 'string'))
      throw new TesseraError('invalid_request', { detail: `malformed parameter ${name.slice(0, 40)}` })
    if (list.length > 0) parameters[name] = list as string[]
  }
  return parameters
}
