import type { CsrfExemption } from '../http/csrf.js'

/**
 * The state-changing routes that declare no CSRF policy (http/csrf.ts), each with the reason it
 * needs none. Every other POST, PUT, PATCH or DELETE route must set `config: { csrf }`, or the app
 * refuses to start. Add a route here only if no cookie can authenticate it.
 */
export const CSRF_EXEMPTIONS: readonly CsrfExemption[] = [
  {
    method: '*',
    url: '/admin/v1/*',
    reason:
      'the admin API authenticates only a bearer access token (admin/admin-auth-hook.ts), never the session cookie; a cross-site form cannot attach an Authorization header',
  },
  {
    method: 'POST',
    url: '/oauth/token',
    reason: 'client authentication, a code bound by PKCE or a refresh token in the body (RFC 6749 §3.2); no cookie is read',
  },
  { method: 'POST', url: '/oauth/introspect', reason: 'client authentication (RFC 7662 §2.1); no cookie is read' },
  { method: 'POST', url: '/oauth/revoke', reason: 'client authentication (RFC 7009 §2.1); no cookie is read' },
  { method: 'POST', url: '/oauth/par', reason: 'client authentication (RFC 9126 §2); no cookie is read' },
  { method: 'POST', url: '/oauth/userinfo', reason: 'a bearer access token (OIDC Core §5.3, RFC 6750); no cookie is read' },
  {
    method: 'POST',
    url: '/oauth/authorize',
    reason:
      'an authorization request posted instead of navigated to (OIDC Core §3.1.2.1), which relying parties send cross-site like the GET; it changes nothing by itself, and the Lax session cookie does not come with a cross-site POST',
  },
]
