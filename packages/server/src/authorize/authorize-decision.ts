import { acrOf, acrSatisfies } from '../sessions/session-acr.js'
import type { AuthorizationParameters } from './authorization-request.js'

export type AuthorizeStep =
  /**
   * A sign-in is needed. With a live session that prompt=login did not dismiss, `stale` (max_age)
   * and `weak` (acr_values) say what it lacks, so the flow can step it up in place (docs/mfa.md "Step-up").
   */
  | { kind: 'sign-in'; stale: boolean; weak: boolean }
  | { kind: 'consent' }
  | { kind: 'issue' }
  /** OIDC Core §3.1.2.6: prompt=none cannot show a page. */
  | { kind: 'error'; code: 'login_required' | 'consent_required' }

export interface DecisionInput {
  params: AuthorizationParameters
  firstParty: boolean
  /** The browser's live Tessera session: when it authenticated (ms), and its RFC 8176 methods. */
  session: { authTime: number; amr: readonly string[] } | null
  /** Scopes the user allowed this client before, or null. */
  consented: string[] | null
  now: number
  /** When the pending request began (ms), if this is a continuation: a sign-in since then is fresh. */
  pendingSince: number | null
}

/**
 * What the authorization request needs next. SSO: a live session is reused, unless prompt=login
 * or max_age asks for a sign-in newer than it, or acr_values for a stronger one than its acr
 * (OIDC Core §3.1.2.1); a sign-in made during this very request satisfies all three (the acr it
 * reached is then what the ID token says). Third-party clients need the user's consent to every scope.
 */
export function nextStep(input: DecisionInput): AuthorizeStep {
  const { params, session, now } = input
  const freshSignIn = session !== null && input.pendingSince !== null && session.authTime >= input.pendingSince
  const tooOld = session !== null && params.maxAge !== null && now - session.authTime > params.maxAge * 1000
  const tooWeak = session !== null && !acrSatisfies(acrOf(session.amr), params.acrValues ?? [])
  const needsSignIn = session === null || (!freshSignIn && (params.prompt.includes('login') || tooOld || tooWeak))
  if (needsSignIn) {
    if (params.prompt.includes('none')) return { kind: 'error', code: 'login_required' }
    const stepUp = session !== null && !params.prompt.includes('login')
    return { kind: 'sign-in', stale: stepUp && tooOld, weak: stepUp && tooWeak }
  }
  if (input.firstParty) return { kind: 'issue' }
  const covered = input.consented !== null && params.scope.every((scope) => input.consented?.includes(scope))
  if (!covered || params.prompt.includes('consent')) {
    return params.prompt.includes('none') ? { kind: 'error', code: 'consent_required' } : { kind: 'consent' }
  }
  return { kind: 'issue' }
}

/**
 * The redirect back to the client: RFC 6749 §4.1.2 (code, state) and RFC 9207 (iss), appended to
 * the registered URI's own query, which is kept (RFC 6749 §3.1.2).
 */
export function authorizationResponseUrl(redirectUri: string, values: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(values)) if (value !== null && value !== undefined) query.append(name, value)
  const encoded = query.toString()
  if (encoded === '') return redirectUri
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${encoded}`
}
