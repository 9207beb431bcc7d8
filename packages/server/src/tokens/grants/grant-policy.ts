import type { Api } from '../../apis/api.js'
import type { ApiService } from '../../apis/api-service.js'
import type { Application, GrantType } from '../../applications/application.js'
import { TesseraError } from '../../shared/errors.js'

/** RFC 6749 §5.2 `unauthorized_client`: the client is not registered for this grant type. */
export function requireGrant(application: Application, grant: GrantType): void {
  if (!application.grants.includes(grant)) throw new TesseraError('unauthorized_client')
}

/** RFC 8707 §2: exactly one resource, a registered API this client may use. */
export async function requestedApi(apis: Pick<ApiService, 'find'>, application: Application, resource: string[]): Promise<Api> {
  if (resource.length === 0) throw new TesseraError('invalid_target', { detail: 'resource is required: name the API the token is for' })
  if (resource.length > 1) throw new TesseraError('invalid_target', { detail: 'one resource per token' })
  const identifier = resource[0] as string
  const api = await apis.find(identifier)
  if (!api || !application.apis.includes(identifier)) throw new TesseraError('invalid_target')
  return api
}

/**
 * An access token's lifetime in seconds: the application's setting or the API's, never above the
 * server's maximum and, for a token bound to a session, never past the session's end (at least
 * one second).
 */
export function accessTokenTtl(application: Application, api: Api, maxTtl: number, sessionEndsAt: number | null, now: number): number {
  const ttl = Math.min(application.accessTokenTtl ?? api.accessTokenTtl, maxTtl)
  if (sessionEndsAt === null) return ttl
  return Math.max(1, Math.min(ttl, Math.floor((sessionEndsAt - now) / 1000)))
}
