import type * as oidc from 'openid-client'
import { TesseraError } from '../shared/errors.js'
import { normalizeEmail } from '../users/email.js'
import type { Connection, UpstreamProfile, UserMapping } from './connection.js'
import type { OpenIdClientLibrary } from './openid-client-library.js'

/**
 * The profile of an OpenID Connect sign-in: the subject from the validated ID token; the email and
 * its verification from the ID token if it has one, else from userinfo (whose `sub` openid-client
 * checked against the ID token's, OIDC Core §5.3.2). `email_verified` counts only as the JSON
 * boolean `true` (OIDC Core §5.1): a string "true" is a provider bug or an attack, not a proof.
 */
export function profileFromClaims(
  connectionId: string,
  claims: Record<string, unknown>,
  userinfo: Record<string, unknown> | null,
): UpstreamProfile {
  const subject = claims.sub
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 255) throw rejected('the ID token has no usable subject')
  const source = typeof claims.email === 'string' ? claims : userinfo && typeof userinfo.email === 'string' ? userinfo : null
  return {
    connectionId,
    subject,
    ...emailOf(source?.email, source?.email_verified),
    name: typeof claims.name === 'string' ? claims.name : typeof userinfo?.name === 'string' ? userinfo.name : null,
  }
}

/**
 * The profile of a plain OAuth 2.0 sign-in, from the provider's user endpoint through the
 * connection's mapping. GitHub-like providers list addresses at a separate endpoint: only the
 * primary address, and only when it is verified, is used.
 */
export async function profileFromUserEndpoint(
  client: OpenIdClientLibrary,
  connection: Connection,
  config: oidc.Configuration,
  accessToken: string,
): Promise<UpstreamProfile> {
  if (!connection.userinfoEndpoint)
    throw new TesseraError('connection_invalid', { detail: 'an OAuth 2.0 connection needs a user endpoint' })
  const user = await getJson(client, config, accessToken, connection.userinfoEndpoint)
  if (!isObject(user)) throw rejected('the user endpoint did not answer with an object')
  const mapping: UserMapping = connection.userMapping
  const rawSubject = pick(user, mapping.subject)
  // GitHub's `id` is a number: a stable integer is as good a subject as a string.
  const subject = typeof rawSubject === 'number' && Number.isSafeInteger(rawSubject) ? String(rawSubject) : rawSubject
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 255)
    throw rejected('the user endpoint gave no usable subject')
  const name = mapping.name ? pick(user, mapping.name) : undefined
  let email: { email: string | null; emailVerified: boolean } = mapping.email
    ? emailOf(pick(user, mapping.email), mapping.emailVerified ? pick(user, mapping.emailVerified) : undefined)
    : { email: null, emailVerified: false }
  if (connection.emailsEndpoint) {
    const list = await getJson(client, config, accessToken, connection.emailsEndpoint)
    const primary = Array.isArray(list)
      ? list.find((entry) => isObject(entry) && entry.primary === true && entry.verified === true)
      : undefined
    email = primary && isObject(primary) ? emailOf(primary.email, true) : { email: null, emailVerified: false }
  }
  return { connectionId: connection.id, subject, ...email, name: typeof name === 'string' ? name : null }
}

function emailOf(raw: unknown, verified: unknown): { email: string | null; emailVerified: boolean } {
  const email = typeof raw === 'string' ? normalizeEmail(raw) : null
  return { email, emailVerified: email !== null && verified === true }
}

async function getJson(client: OpenIdClientLibrary, config: oidc.Configuration, accessToken: string, endpoint: string): Promise<unknown> {
  // GitHub's API refuses requests without a User-Agent.
  const headers = new Headers({ accept: 'application/json', 'user-agent': 'Tessera' })
  const response = await client.fetchProtectedResource(config, accessToken, new URL(endpoint), 'GET', undefined, headers)
  if (response.status !== 200) throw new TesseraError('upstream_unavailable', { detail: `the user endpoint answered ${response.status}` })
  try {
    return await response.json()
  } catch {
    throw new TesseraError('upstream_unavailable', { detail: 'the user endpoint did not answer with JSON' })
  }
}

function pick(value: Record<string, unknown>, path: string): unknown {
  let current: unknown = value
  for (const key of path.split('.')) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined
    current = current[key]
  }
  return current
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function rejected(detail: string): TesseraError {
  return new TesseraError('upstream_rejected', { detail })
}
