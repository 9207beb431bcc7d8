import type { FastifyRequest } from 'fastify'
import { type Application, isConfidential } from '../applications/application.js'
import type { ApplicationService } from '../applications/application-service.js'
import { afterFailure, type ThrottlePolicy, throttleWait } from '../auth/sign-in-throttle.js'
import type { SignInThrottleStore } from '../auth/sign-in-throttle-store.js'
import type { Clock } from '../shared/clock.js'
import { sha256 } from '../shared/digest.js'
import { TesseraError } from '../shared/errors.js'
import type { OAuthForm } from './oauth-form.js'

export interface ClientAuthenticationDeps {
  /** `find` may be the composition root's cached read (app/config-cache.ts). */
  applications: Pick<ApplicationService, 'find' | 'secretMatches'>
  stores: { throttle: Pick<SignInThrottleStore, 'get' | 'put' | 'clear'> }
  clock: Clock
  throttlePolicy: ThrottlePolicy
}

export type AuthenticateClient = (request: FastifyRequest, form: OAuthForm, options?: { allowPublic?: boolean }) => Promise<Application>

/**
 * RFC 6749 §2.3: `client_secret_basic`, `client_secret_post`, or `none` for public clients, and
 * never two methods at once. Wrong secrets are throttled per client id, exactly like sign-in.
 */
export function createClientAuthentication(deps: ClientAuthenticationDeps): AuthenticateClient {
  return async (request, form, options = {}) => {
    const basic = parseBasic(request.headers.authorization)
    const bodyId = form.get('client_id')
    const bodySecret = form.get('client_secret')
    if (basic && bodySecret !== undefined)
      throw new TesseraError('invalid_request', { detail: 'use one client authentication method, not two' })
    if (basic && bodyId !== undefined && bodyId !== basic.id)
      throw new TesseraError('invalid_request', { detail: 'client_id does not match the Authorization header' })
    const clientId = basic?.id ?? bodyId
    if (!clientId) throw new TesseraError('invalid_client', { detail: 'client authentication is required' })
    const secret = basic?.secret ?? bodySecret

    const key = sha256(`client:${clientId}`)
    const state = await deps.stores.throttle.get(key)
    const wait = throttleWait(state, deps.clock.now())
    if (wait > 0) throw new TesseraError('client_throttled', { retryAfter: Math.ceil(wait / 1000) })

    const application = clientId.length <= 64 ? await deps.applications.find(clientId) : null
    const valid =
      application !== null &&
      (isConfidential(application.type)
        ? secret !== undefined && deps.applications.secretMatches(application, secret)
        : secret === undefined && options.allowPublic !== false)
    if (!valid) {
      // A public client has no secret to guess: counting its failures would only let anyone who
      // knows its client_id lock it out for every user.
      if (application !== null && !isConfidential(application.type)) throw new TesseraError('invalid_client')
      const now = deps.clock.now()
      await deps.stores.throttle.put(key, afterFailure(state, deps.throttlePolicy, now), now)
      throw new TesseraError('invalid_client')
    }
    if (state) await deps.stores.throttle.clear(key)
    return application
  }
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
export function parseBasic(header: string | undefined): { id: string; secret: string } | null {
  if (header === undefined) return null
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header)
  if (!match) throw new TesseraError('invalid_client', { detail: 'Authorization must be Basic credentials' })
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) throw new TesseraError('invalid_client', { detail: 'malformed Basic credentials' })
  try {
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '))
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) }
  } catch {
    throw new TesseraError('invalid_client', { detail: 'malformed Basic credentials' })
  }
}
