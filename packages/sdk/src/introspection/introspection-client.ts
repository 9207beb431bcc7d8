import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { isJsonObject, readJson } from '../shared/read-json.js'
import { type RequestDeps, request } from '../shared/request.js'

export interface IntrospectionDeps extends RequestDeps {
  /** Resolves the `introspection_endpoint` (from discovery). */
  endpoint: () => Promise<string>
  /** `Authorization: Basic …` of the resource-server application (client_secret_basic). */
  authorization: string
}

/** RFC 7662 §2.2: the answer; everything but `active` is the token's claims. */
export type IntrospectionAnswer = { active: false } | { active: true; claims: Record<string, unknown> }

/** Ask the issuer about one token. Throws `verifier_unavailable` when it cannot answer. */
export type Introspect = (token: string) => Promise<IntrospectionAnswer>

/** RFC 7662 §2.1: a form POST, authenticated as the resource server, never cached. */
export function createIntrospection(deps: IntrospectionDeps): Introspect {
  return async function introspect(token) {
    const what = 'introspection'
    const response = await request(
      deps,
      await deps.endpoint(),
      {
        method: 'POST',
        headers: { authorization: deps.authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      },
      what,
    )
    if (!response.ok) {
      await response.body?.cancel().catch(() => {})
      const why = response.status === 401 ? 'the resource server client was refused' : `HTTP ${response.status}`
      throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: ${why}` })
    }
    const answer = await readJson(response, what)
    if (!isJsonObject(answer) || typeof answer.active !== 'boolean') {
      throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: malformed answer` })
    }
    if (!answer.active) return { active: false }
    const { active: _active, ...claims } = answer
    return { active: true, claims }
  }
}
