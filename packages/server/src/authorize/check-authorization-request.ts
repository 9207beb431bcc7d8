import type { Api } from '../apis/api.js'
import { type Application, GRANT_TYPES } from '../applications/application.js'
import { TesseraError } from '../shared/errors.js'
import { grantScope, parseScope } from '../tokens/scope.js'
import { type AuthorizationParameters, apiScopesOf, PROMPTS, type Prompt } from './authorization-request.js'
import { isS256Challenge } from './pkce.js'
import { matchRedirectUri } from './redirect-uri-match.js'

export interface CheckDeps {
  findApplication(clientId: string): Promise<Application | null>
  findApi(identifier: string): Promise<Api | null>
}

export type CheckOutcome =
  /** Client or redirect URI not trustworthy: show an error page, never redirect (RFC 6749 §4.1.2.1). */
  | { kind: 'fatal'; error: TesseraError }
  /** Client and redirect URI are valid: the error goes back to the client. */
  | { kind: 'redirect'; error: TesseraError; redirectUri: string; state: string | null }
  | { kind: 'ok'; params: AuthorizationParameters; application: Application; api: Api | null }

const MAX_VALUE = 2048

/**
 * The authorization request's checks, in order. The client and the redirect URI come first:
 * until both are known good, nothing may be sent to the redirect URI.
 */
export async function checkAuthorizationRequest(raw: unknown, deps: CheckDeps): Promise<CheckOutcome> {
  const values = readValues(raw)
  const fatal = (detail: string): CheckOutcome => ({ kind: 'fatal', error: new TesseraError('authorization_request_invalid', { detail }) })
  // RFC 6749 §3.1: parameters must not repeat; a repeated client_id or redirect_uri is untrustworthy.
  if (values.repeated.has('client_id') || values.repeated.has('redirect_uri')) return fatal('client_id and redirect_uri must not repeat')
  const clientId = values.get('client_id')
  if (clientId === undefined) return fatal('client_id is required')
  const application = clientId.length <= 64 ? await deps.findApplication(clientId) : null
  if (!application) return fatal('unknown client_id')
  const presented = values.get('redirect_uri')
  // OIDC Core §3.1.2.1 makes redirect_uri required; we require it for every client.
  if (presented === undefined) return fatal('redirect_uri is required')
  const redirectUri = matchRedirectUri(application, presented)
  if (redirectUri === null) return fatal('redirect_uri is not registered for this client')

  const rawState = values.get('state')
  const state = rawState !== undefined && rawState.length <= MAX_VALUE ? rawState : null
  const fail = (code: ConstructorParameters<typeof TesseraError>[0], detail?: string): CheckOutcome => ({
    kind: 'redirect',
    error: new TesseraError(code, detail ? { detail } : {}),
    redirectUri,
    state,
  })
  if (values.repeated.size > 0) return fail('invalid_request', `parameter ${[...values.repeated][0]?.slice(0, 40)} is repeated`)
  if (values.tooLong) return fail('invalid_request', 'a parameter is too long')
  if (values.has('request')) return fail('request_not_supported')
  if (values.has('request_uri')) return fail('request_uri_not_supported')

  // RFC 6749 §4.1.1 and OAuth 2.1: only the code flow; no implicit or hybrid response types.
  const responseType = values.get('response_type')
  if (responseType === undefined) return fail('invalid_request', 'response_type is required')
  if (responseType !== 'code') return fail('unsupported_response_type')
  const responseMode = values.get('response_mode')
  if (responseMode !== undefined && responseMode !== 'query') return fail('invalid_request', 'response_mode must be query')
  if (!application.grants.includes(GRANT_TYPES.authorization_code)) return fail('unauthorized_client')

  // RFC 7636 §4.3, OAuth 2.1 §4.1.1: PKCE is required, and only S256 (plain is refused, RFC 9700 §2.1.1).
  const challenge = values.get('code_challenge')
  const method = values.get('code_challenge_method')
  if (challenge === undefined) return fail('invalid_request', 'code_challenge is required (PKCE)')
  if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256')
  if (!isS256Challenge(challenge)) return fail('invalid_request', 'code_challenge is not a valid S256 challenge')

  // RFC 8707 §2: at most one resource here, registered and allowed for this client.
  const resources = values.all('resource')
  if (resources.length > 1) return fail('invalid_target', 'one resource per request')
  let api: Api | null = null
  if (resources.length === 1) {
    const identifier = resources[0] as string
    api = application.apis.includes(identifier) ? await deps.findApi(identifier) : null
    if (!api) return fail('invalid_target')
  }

  let scope: string[]
  try {
    scope = parseScope(values.get('scope')) ?? []
    const apiScopes = apiScopesOf(scope)
    if (apiScopes.length > 0 && !api) return fail('invalid_scope', 'API scopes need a resource parameter naming the API')
    // The same rule as every other grant: scopes the API defines and the application is allowed.
    if (api) grantScope(apiScopes, api, application)
  } catch (error) {
    if (error instanceof TesseraError) return fail(error.code, error.detail)
    throw error
  }

  // OIDC Core §3.1.2.1: prompt is a space-delimited list; none must stand alone.
  const prompt = (values.get('prompt')?.split(' ') ?? []).filter((each) => each !== '')
  if (prompt.some((each) => !(PROMPTS as readonly string[]).includes(each)))
    return fail('invalid_request', 'prompt may hold none, login and consent')
  if (prompt.includes('none') && prompt.length > 1) return fail('invalid_request', 'prompt=none cannot be combined')
  const rawMaxAge = values.get('max_age')
  if (rawMaxAge !== undefined && !/^[0-9]{1,9}$/.test(rawMaxAge)) return fail('invalid_request', 'max_age must be a number of seconds')

  return {
    kind: 'ok',
    application,
    api,
    params: {
      clientId: application.id,
      redirectUri,
      state,
      nonce: values.get('nonce') ?? null,
      scope,
      codeChallenge: challenge,
      resource: api?.identifier ?? null,
      prompt: [...new Set(prompt)] as Prompt[],
      maxAge: rawMaxAge !== undefined ? Number(rawMaxAge) : null,
      loginHint: values.get('login_hint')?.slice(0, 320) ?? null,
    },
  }
}

interface Values {
  get(name: string): string | undefined
  all(name: string): string[]
  has(name: string): boolean
  repeated: Set<string>
  tooLong: boolean
}

/** Reads query or form parameters; empty values count as absent (RFC 6749 §3.1). */
function readValues(raw: unknown): Values {
  const map = new Map<string, string[]>()
  const repeated = new Set<string>()
  let tooLong = false
  if (raw && typeof raw === 'object') {
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      const list = (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string' && item !== '')
      if (list.length === 0) continue
      if (list.length > 1 && name !== 'resource') repeated.add(name)
      if (list.some((item) => item.length > MAX_VALUE)) tooLong = true
      map.set(name, list)
    }
  }
  return {
    get: (name) => map.get(name)?.[0],
    all: (name) => map.get(name) ?? [],
    has: (name) => map.has(name),
    repeated,
    tooLong,
  }
}
