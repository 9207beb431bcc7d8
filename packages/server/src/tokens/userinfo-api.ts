import type { Api } from '../apis/api.js'

/**
 * The built-in audience of access tokens issued by the code flow without a `resource`
 * (RFC 8707): such a token is good only at Tessera's own userinfo endpoint, which checks its
 * session and revocation state on every call, like introspection.
 */
export function userinfoApi(issuer: string): Api {
  return {
    id: 'tessera-userinfo',
    identifier: `${issuer.replace(/\/$/, '')}/oauth/userinfo`,
    name: 'OpenID Connect userinfo',
    mode: 'jwt',
    accessTokenTtl: 3600,
    scopes: ['openid', 'profile', 'email'],
    createdAt: 0,
    updatedAt: 0,
  }
}
