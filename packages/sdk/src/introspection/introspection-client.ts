import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { SendIssuerRequest } from '../shared/issuer-request.js'
import { isJsonObject } from '../shared/read-json.js'

export interface IntrospectionDeps {
  /** How the form is sent: node:http with a keep-alive agent, or the injected fetch (create-verifier.ts). */
  send: SendIssuerRequest
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
  const headers = { authorization: deps.authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
  return async function introspect(token) {
    const what = 'introspection'
    const body = new URLSearchParams({ token, token_type_hint: 'access_token' }).toString()
    const response = await deps.send({ method: 'POST', url: await deps.endpoint(), headers, body, what })
    if (!response.ok) {
      const why = response.status === 401 ? 'the resource server client was refused' : `HTTP ${response.status}`
      throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: ${why}` })
    }
    const answer = response.body
    if (!isJsonObject(answer) || typeof answer.active !== 'boolean') {
      throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: malformed answer` })
    }
    if (!answer.active) return { active: false }
    const { active: _active, ...claims } = answer
    return { active: true, claims }
  }
}
