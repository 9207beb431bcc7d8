import type { Api } from '../apis/api.js'
import type { Application } from '../applications/application.js'
import { TesseraError } from '../shared/errors.js'
import type { AuthorizationParameters } from './authorization-request.js'
import { checkClient } from './checks/check-client.js'
import { checkPkce } from './checks/check-pkce.js'
import { checkPrompt } from './checks/check-prompt.js'
import { checkRedirectUri } from './checks/check-redirect-uri.js'
import { checkResourceAndScope } from './checks/check-resource-and-scope.js'
import { checkResponseType } from './checks/check-response-type.js'
import { MAX_VALUE_LENGTH, readRequestValues } from './checks/request-values.js'

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

/**
 * The authorization request's checks, in order, one file each under checks/. The client and the
 * redirect URI come first: until both are known good, nothing may be sent to the redirect URI.
 */
export async function checkAuthorizationRequest(raw: unknown, deps: CheckDeps): Promise<CheckOutcome> {
  const values = readRequestValues(raw)
  const fatal = (detail: string): CheckOutcome => ({ kind: 'fatal', error: new TesseraError('authorization_request_invalid', { detail }) })
  const application = await checkClient(values, deps.findApplication)
  if (typeof application === 'string') return fatal(application)
  const redirect = checkRedirectUri(values, application)
  if (typeof redirect === 'string') return fatal(redirect)

  const { redirectUri } = redirect
  const rawState = values.get('state')
  const state = rawState !== undefined && rawState.length <= MAX_VALUE_LENGTH ? rawState : null
  const fail = (error: TesseraError): CheckOutcome => ({ kind: 'redirect', error, redirectUri, state })
  if (values.repeated.size > 0)
    return fail(new TesseraError('invalid_request', { detail: `parameter ${[...values.repeated][0]?.slice(0, 40)} is repeated` }))
  if (values.tooLong) return fail(new TesseraError('invalid_request', { detail: 'a parameter is too long' }))
  const responseType = checkResponseType(values, application)
  if (responseType) return fail(responseType)
  const pkce = checkPkce(values)
  if (pkce instanceof TesseraError) return fail(pkce)
  const target = await checkResourceAndScope(values, application, deps.findApi)
  if (target instanceof TesseraError) return fail(target)
  const prompt = checkPrompt(values)
  if (prompt instanceof TesseraError) return fail(prompt)

  return {
    kind: 'ok',
    application,
    api: target.api,
    params: {
      clientId: application.id,
      redirectUri,
      state,
      nonce: values.get('nonce') ?? null,
      scope: target.scope,
      codeChallenge: pkce.codeChallenge,
      resource: target.api?.identifier ?? null,
      prompt: prompt.prompt,
      maxAge: prompt.maxAge,
      loginHint: values.get('login_hint')?.slice(0, 320) ?? null,
    },
  }
}
