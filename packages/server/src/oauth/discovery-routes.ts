import type { FastifyInstance } from 'fastify'
import { SIGNING_ALGORITHMS } from '../keys/signing-key.js'
import { ACR_VALUES } from '../sessions/session-acr.js'
import { DPOP_ALGORITHMS } from '../tokens/dpop/dpop-proof.js'
import { OPENID_SCOPES } from '../tokens/scope.js'

/**
 * RFC 8414 and OpenID Connect Discovery 1.0. `issuer` is the configured issuer exactly, and only
 * what is implemented is advertised (docs/oidc.md).
 */
export function authorizationServerMetadata(issuer: string) {
  const base = issuer.replace(/\/$/, '')
  const clientAuth = ['client_secret_basic', 'client_secret_post', 'none']
  return {
    issuer,
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    userinfo_endpoint: `${base}/oauth/userinfo`,
    end_session_endpoint: `${base}/oauth/logout`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    revocation_endpoint: `${base}/oauth/revoke`,
    // RFC 9126 §5: pushed authorization requests, optional unless the client is registered to need them.
    pushed_authorization_request_endpoint: `${base}/oauth/par`,
    require_pushed_authorization_requests: false,
    // RFC 8628 §4: the device authorization grant.
    device_authorization_endpoint: `${base}/oauth/device_authorization`,
    introspection_endpoint: `${base}/oauth/introspect`,
    // Tessera's own metadata: the revocation feed of hybrid mode (docs/revocation-feed.md).
    revocation_feed_endpoint: `${base}/v1/revocations`,
    scopes_supported: [...OPENID_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'urn:ietf:params:oauth:grant-type:device_code',
    ],
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
    claims_supported: [
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'sid',
      'at_hash',
      'amr',
      'acr',
      'email',
      'email_verified',
      'updated_at',
    ],
    // OIDC Discovery §3: Tessera's acr values, weakest first (docs/mfa.md).
    acr_values_supported: [...ACR_VALUES],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    prompt_values_supported: ['none', 'login', 'consent'],
    // RFC 9207: every authorization response carries iss.
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: clientAuth,
    revocation_endpoint_auth_methods_supported: clientAuth,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    access_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
    // RFC 9449 §5.1: DPoP proofs are accepted with these algorithms.
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
    // OIDC Back-Channel Logout 1.0 §2.1: logout tokens always carry sid.
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  }
}

export function discoveryRoutes(issuer: string) {
  const document = JSON.stringify(authorizationServerMetadata(issuer))
  return async (app: FastifyInstance) => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      app.get(path, { config: { cors: 'public' } }, async (_request, reply) =>
        reply.header('cache-control', 'public, max-age=3600').type('application/json').send(document),
      )
    }
  }
}
