import type { Api } from '../apis/api.js'
import type { Application } from '../applications/application.js'
import { isTesseraError, type TesseraError } from '../shared/errors.js'
import type { AuthorizationParameters } from './authorization-request.js'
import { checkAcrValues } from './checks/check-acr-values.js'
import { checkClient } from './checks/check-client.js'
import { checkDpopJkt } from './checks/check-dpop-jkt.js'
import { checkParameters } from './checks/check-parameters.js'
import { checkPkce } from './checks/check-pkce.js'
import { checkPrompt } from './checks/check-prompt.js'
import { checkPushedRequest } from './checks/check-pushed-request.js'
import { checkRedirectUri } from './checks/check-redirect-uri.js'
import { checkResourceAndScope } from './checks/check-resource-and-scope.js'
import { checkResponseType } from './checks/check-response-type.js'
import { MAX_VALUE_LENGTH, type RequestValues, readRequestValues } from './checks/request-values.js'

export interface CheckDeps {
  findApplication(clientId: string): Promise<Application | null>
  findApi(identifier: string): Promise<Api | null>
}

export interface CheckOptions {
  /** The request came through `/oauth/par` (RFC 9126). */
  pushed?: boolean
}

export type CheckOutcome =
  /** Client or redirect URI not trustworthy: show an error page, never redirect (RFC 6749 §4.1.2.1). */
  | { kind: 'fatal'; error: TesseraError }
  /** Client and redirect URI are valid: the error goes back to the client (RFC 6749 §4.1.2.1, RFC 9207). */
  | { kind: 'redirect'; error: TesseraError; redirectUri: string; state: string | null }
  | { kind: 'ok'; params: AuthorizationParameters; application: Application; api: Api | null }

/**
 * The authorization request's checks, in order, one file each under checks/. Each check throws a
 * typed error with a stable code; the stage it belongs to decides who hears about it. The client
 * and the redirect URI come first: until both are known good, nothing may be sent to the redirect
 * URI, so their errors are shown to the user. After them, every error goes back to the client.
 */
export async function checkAuthorizationRequest(raw: unknown, deps: CheckDeps, options: CheckOptions = {}): Promise<CheckOutcome> {
  const values = readRequestValues(raw)
  let application: Application
  let redirectUri: string
  try {
    application = await checkClient(values, deps.findApplication)
    redirectUri = checkRedirectUri(values, application)
  } catch (error) {
    if (isTesseraError(error)) return { kind: 'fatal', error }
    throw error
  }

  const rawState = values.get('state')
  const state = rawState !== undefined && rawState.length <= MAX_VALUE_LENGTH ? rawState : null
  try {
    checkPushedRequest(application, options.pushed === true)
    return { kind: 'ok', application, ...(await checkTheRest(values, application, redirectUri, state, deps)) }
  } catch (error) {
    if (isTesseraError(error)) return { kind: 'redirect', error, redirectUri, state }
    throw error
  }
}

async function checkTheRest(
  values: RequestValues,
  application: Application,
  redirectUri: string,
  state: string | null,
  deps: CheckDeps,
): Promise<{ params: AuthorizationParameters; api: Api | null }> {
  checkParameters(values)
  checkResponseType(values, application)
  const codeChallenge = checkPkce(values)
  const target = await checkResourceAndScope(values, application, deps.findApi)
  const { prompt, maxAge } = checkPrompt(values)
  return {
    api: target.api,
    params: {
      clientId: application.id,
      redirectUri,
      state,
      nonce: values.get('nonce') ?? null,
      scope: target.scope,
      codeChallenge,
      resource: target.api?.identifier ?? null,
      prompt,
      maxAge,
      acrValues: checkAcrValues(values),
      loginHint: values.get('login_hint')?.slice(0, 320) ?? null,
      uiLocales: values.get('ui_locales')?.slice(0, 256) ?? null,
      dpopJkt: checkDpopJkt(values),
    },
  }
}
