import formbody from '@fastify/formbody'
import type { FastifyContextConfig, FastifyInstance } from 'fastify'
import { GRANT_TYPES } from '../applications/application.js'
import { TesseraError } from '../shared/errors.js'
import { type GrantName, type Metrics, noMetrics } from '../shared/metrics.js'
import type { AuthorizationCodeGrant } from '../tokens/authorization-code-grant.js'
import type { IntrospectionService } from '../tokens/introspection-service.js'
import type { TokenRevocationService } from '../tokens/token-revocation-service.js'
import type { TokenService } from '../tokens/token-service.js'
import type { AuthenticateClient } from './client-authentication.js'
import { readOAuthForm } from './oauth-form.js'

export interface TokenRoutesDeps {
  tokens: TokenService
  authorizationCode: AuthorizationCodeGrant
  introspection: IntrospectionService
  revocation: TokenRevocationService
  authenticateClient: AuthenticateClient
  /** Counts tokens issued by grant (none when absent). */
  metrics?: Pick<Metrics, 'tokenIssued'>
}

/** `POST /oauth/token`, `/oauth/revoke` (RFC 7009) and `/oauth/introspect` (RFC 7662). */
export function tokenRoutes(deps: TokenRoutesDeps) {
  const metrics = deps.metrics ?? noMetrics
  /** Counts a grant once its tokens are ready to send. */
  const counted = async <T>(grant: GrantName, issuing: Promise<T>): Promise<T> => {
    const response = await issuing
    metrics.tokenIssued(grant)
    return response
  }
  return async (app: FastifyInstance) => {
    // OAuth endpoints take form bodies only (RFC 6749 §3.2); a JSON body is refused.
    app.removeContentTypeParser('application/json')
    await app.register(formbody, { bodyLimit: 16 * 1024 })
    const config: FastifyContextConfig = { errors: 'oauth' }
    app.addHook('onSend', async (_request, reply) => {
      // RFC 6749 §5.1: token responses must not be cached.
      reply.header('cache-control', 'no-store')
      reply.header('pragma', 'no-cache')
    })

    app.post('/oauth/token', { config }, async (request) => {
      const form = readOAuthForm(request.body, request.query)
      const grantType = form.get('grant_type')
      if (!grantType) throw new TesseraError('invalid_request', { detail: 'grant_type is required' })
      const application = await deps.authenticateClient(request, form)
      switch (grantType) {
        case GRANT_TYPES.authorization_code:
          return counted(
            'authorization_code',
            deps.authorizationCode.redeem(application, {
              code: form.get('code'),
              redirectUri: form.get('redirect_uri'),
              codeVerifier: form.get('code_verifier'),
              resource: form.all('resource'),
            }),
          )
        case GRANT_TYPES.token_exchange:
          return counted(
            'token_exchange',
            deps.tokens.exchange(application, {
              subjectToken: form.get('subject_token'),
              subjectTokenType: form.get('subject_token_type'),
              requestedTokenType: form.get('requested_token_type'),
              resource: form.all('resource'),
              scope: form.get('scope'),
            }),
          )
        case GRANT_TYPES.refresh_token:
          return counted(
            'refresh_token',
            deps.tokens.refresh(application, {
              refreshToken: form.get('refresh_token'),
              scope: form.get('scope'),
              resource: form.all('resource'),
            }),
          )
        case GRANT_TYPES.client_credentials:
          return counted(
            'client_credentials',
            deps.tokens.clientCredentials(application, { resource: form.all('resource'), scope: form.get('scope') }),
          )
        default:
          throw new TesseraError('unsupported_grant_type')
      }
    })

    app.post('/oauth/revoke', { config }, async (request, reply) => {
      const form = readOAuthForm(request.body, request.query)
      const application = await deps.authenticateClient(request, form)
      const token = form.get('token')
      if (!token) throw new TesseraError('invalid_request', { detail: 'token is required' })
      await deps.revocation.revoke(application, token)
      return reply.code(200).send()
    })

    app.post('/oauth/introspect', { config }, async (request) => {
      const form = readOAuthForm(request.body, request.query)
      // RFC 7662 §2.1: the caller must authenticate; public clients cannot.
      const application = await deps.authenticateClient(request, form, { allowPublic: false })
      const token = form.get('token')
      if (!token) throw new TesseraError('invalid_request', { detail: 'token is required' })
      return deps.introspection.introspect(application, token)
    })
  }
}
