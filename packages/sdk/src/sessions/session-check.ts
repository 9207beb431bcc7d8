import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { isJsonObject, readJson } from '../shared/read-json.js'
import { type RequestDeps, request } from '../shared/request.js'
import type { SessionContext } from './session-context.js'

/** The server's session error codes, as the SDK reports them. */
const SESSION_ERRORS = new Map<unknown, 'token_revoked' | 'token_expired'>([
  ['session_revoked', 'token_revoked'],
  ['session_expired', 'token_expired'],
  ['user_disabled', 'token_revoked'],
])

/**
 * Ask Tessera whether a session token (a bearer session token, or the value of the session cookie)
 * names a live session: `GET <issuer>/v1/session` with `Authorization: Bearer`. Staleness 0.
 */
export async function checkSession(deps: RequestDeps & { issuer: string }, sessionToken: string): Promise<SessionContext> {
  const what = 'session check'
  const url = `${deps.issuer.replace(/\/$/, '')}/v1/session`
  const response = await request(deps, url, { headers: { authorization: `Bearer ${sessionToken}`, accept: 'application/json' } }, what)
  if (response.status === 401 || response.status === 403) {
    const problem = await readJson(response, what).catch(() => null)
    const code = isJsonObject(problem) ? problem.code : undefined
    throw new TesseraAuthError(SESSION_ERRORS.get(code) ?? 'invalid_token', { detail: 'the session is not live' })
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {})
    throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: HTTP ${response.status}` })
  }
  const body = await readJson(response, what)
  const user = isJsonObject(body) ? body.user : undefined
  const session = isJsonObject(body) ? body.session : undefined
  if (!isJsonObject(user) || !isJsonObject(session) || typeof user.id !== 'string' || typeof session.id !== 'string') {
    throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: malformed answer` })
  }
  return Object.freeze({ userId: user.id, sessionId: session.id })
}
