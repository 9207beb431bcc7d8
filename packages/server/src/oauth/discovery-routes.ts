import type { FastifyInstance } from 'fastify'
import { SIGNING_ALGORITHMS } from '../keys/signing-key.js'

/**
 * RFC 8414 and OpenID Connect Discovery 1.0. `issuer` is the configured issuer exactly, and only
 * what is implemented is advertised: the browser flow (authorization endpoint, ID tokens) comes
 * with its own milestone and its metadata with it.
 */
export function authorizationServerMetadata(issuer: string) {
  const base = issuer.replace(/\/$/, '')
  const clientAuth = ['client_secret_basic', 'client_secret_post', 'none']
  return {
    issuer,
    token_endpoint: `${base}/oauth/token`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    revocation_endpoint: `${base}/oauth/revoke`,
    introspection_endpoint: `${base}/oauth/introspect`,
    // Tessera's own metadata: the revocation feed of hybrid mode (docs/revocation-feed.md).
    revocation_feed_endpoint: `${base}/v1/revocations`,
    grant_types_supported: ['urn:ietf:params:oauth:grant-type:token-exchange', 'refresh_token', 'client_credentials'],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: clientAuth,
    revocation_endpoint_auth_methods_supported: clientAuth,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    access_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
  }
}

export function discoveryRoutes(issuer: string) {
  const document = JSON.stringify(authorizationServerMetadata(issuer))
  return async (app: FastifyInstance) => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      app.get(path, async (_request, reply) =>
        reply.header('cache-control', 'public, max-age=3600').type('application/json').send(document),
      )
    }
  }
}
