import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { isJsonObject, readJson } from '../shared/read-json.js'
import { type RequestDeps, request } from '../shared/request.js'

/**
 * The endpoints a verifier uses, as the issuer's discovery document names them. Each is null
 * when the issuer does not advertise it.
 *
 * @example
 * const endpoints: IssuerEndpoints = {
 *   jwksUri: 'https://id.example.com/.well-known/jwks.json',
 *   introspectionEndpoint: 'https://id.example.com/oauth/introspect',
 *   revocationFeedEndpoint: 'https://id.example.com/v1/revocations',
 * }
 */
export interface IssuerEndpoints {
  jwksUri: string | null
  introspectionEndpoint: string | null
  revocationFeedEndpoint: string | null
}

/** `<issuer>/.well-known/openid-configuration`; an issuer with a path keeps it (OIDC Discovery §4). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
}

/**
 * Fetch and check the discovery document. Its `issuer` must equal the configured issuer exactly
 * (OIDC Discovery §4.3, RFC 8414 §3.3), or a document served by someone else could point the
 * verifier at their keys.
 */
export async function fetchIssuerEndpoints(deps: RequestDeps, issuer: string): Promise<IssuerEndpoints> {
  const what = 'discovery document'
  const response = await request(deps, discoveryUrl(issuer), { headers: { accept: 'application/json' } }, what)
  if (!response.ok) {
    await response.body?.cancel().catch(() => {})
    throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: HTTP ${response.status}` })
  }
  const document = await readJson(response, what)
  if (!isJsonObject(document)) throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: not an object` })
  if (document.issuer !== issuer) {
    throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: its issuer is not the configured issuer` })
  }
  return {
    jwksUri: endpoint(document.jwks_uri),
    introspectionEndpoint: endpoint(document.introspection_endpoint),
    revocationFeedEndpoint: endpoint(document.revocation_feed_endpoint),
  }
}

function endpoint(value: unknown): string | null {
  if (typeof value !== 'string' || !URL.canParse(value)) return null
  const url = new URL(value)
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null
}
