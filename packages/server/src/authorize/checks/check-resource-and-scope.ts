import type { Api } from '../../apis/api.js'
import type { Application } from '../../applications/application.js'
import { TesseraError } from '../../shared/errors.js'
import { apiScopesOf, parseScope, requestScope } from '../../tokens/scope.js'
import type { RequestValues } from './request-values.js'

/**
 * RFC 8707 §2: at most one resource, registered and allowed for this client. RFC 6749 §3.3: the
 * scope is well-formed; API scopes need the API, and follow the rule every grant follows.
 */
export async function checkResourceAndScope(
  values: RequestValues,
  application: Application,
  findApi: (identifier: string) => Promise<Api | null>,
): Promise<{ api: Api | null; scope: string[] }> {
  const resources = values.all('resource')
  if (resources.length > 1) throw new TesseraError('invalid_target', { detail: 'one resource per request' })
  let api: Api | null = null
  if (resources.length === 1) {
    const identifier = resources[0] as string
    api = application.apis.includes(identifier) ? await findApi(identifier) : null
    if (!api) throw new TesseraError('invalid_target')
  }
  const scope = parseScope(values.get('scope')) ?? []
  const apiScopes = apiScopesOf(scope)
  if (apiScopes.length > 0 && !api)
    throw new TesseraError('invalid_scope', { detail: 'API scopes need a resource parameter naming the API' })
  // Outside the application's ceiling is refused here; what roles grant is applied at the token endpoint.
  if (api) requestScope(apiScopes, api, application)
  return { api, scope }
}
