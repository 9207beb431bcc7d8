import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { SendIssuerRequest } from '../shared/issuer-request.js'
import { isJsonObject } from '../shared/read-json.js'
import type { SessionContext } from './session-context.js'

/** The server's session error codes, as the SDK reports them. */
const SESSION_ERRORS = new Map<unknown, 'token_revoked' | 'token_expired'>([
  ['session_revoked', 'token_revoked'],
  ['session_expired', 'token_expired'],
  ['user_disabled', 'token_revoked'],
])

/** The statuses that say the session is not live; their problem body's `code` says why. */
const NOT_LIVE = [401, 403] as const

export interface SessionCheckDeps {
  /** How the request is sent: node:http with the verifier's keep-alive agents, or the injected fetch (create-verifier.ts). */
  send: SendIssuerRequest
  issuer: string
}

/**
 * Ask Tessera whether a session token (a bearer session token, or the value of the session cookie)
 * names a live session: `GET <issuer>/v1/session` with `Authorization: Bearer`. Staleness 0: one
 * request per check, never cached. The same mapping for both transports.
 */
export async function checkSession(deps: SessionCheckDeps, sessionToken: string): Promise<SessionContext> {
  const what = 'session check'
  const url = `${deps.issuer.replace(/\/$/, '')}/v1/session`
  const headers = { authorization: `Bearer ${sessionToken}`, accept: 'application/json' }
  const response = await deps.send({ method: 'GET', url, headers, what, readBodyOf: NOT_LIVE })
  if (response.status === 401 || response.status === 403) {
    // An unreadable problem body is null: the status alone says the session is not live.
    const code = isJsonObject(response.body) ? response.body.code : undefined
    throw new TesseraAuthError(SESSION_ERRORS.get(code) ?? 'invalid_token', { detail: 'the session is not live' })
  }
  if (!response.ok) throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: HTTP ${response.status}` })
  const { body } = response
  const user = isJsonObject(body) ? body.user : undefined
  const session = isJsonObject(body) ? body.session : undefined
  if (!isJsonObject(user) || !isJsonObject(session) || typeof user.id !== 'string' || typeof session.id !== 'string') {
    throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: malformed answer` })
  }
  return Object.freeze({ userId: user.id, sessionId: session.id })
}
