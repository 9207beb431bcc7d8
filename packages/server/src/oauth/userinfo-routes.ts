import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ApplicationService } from '../applications/application-service.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import { TesseraError } from '../shared/errors.js'
import type { AccessTokenVerifier } from '../tokens/access-token-verifier.js'
import { emailClaims, profileClaims } from '../tokens/id-token-issuer.js'
import type { IntrospectionService } from '../tokens/introspection-service.js'
import type { UserStore } from '../users/user-store.js'

export interface UserinfoRoutesDeps {
  verifyAccessToken: AccessTokenVerifier
  introspection: Pick<IntrospectionService, 'introspect'>
  applications: Pick<ApplicationService, 'find'>
  stores: { users: Pick<UserStore, 'findById'> }
  /** The audience of userinfo access tokens (tokens/userinfo-api.ts). */
  audience: string
}

/**
 * `GET` and `POST /oauth/userinfo` (OIDC Core §5.3). The access token goes in the Authorization
 * header (RFC 6750 §2.1); it is checked exactly as introspection checks it (signature, revocation
 * log, client, live session, token version), and failures are RFC 6750 §3 errors.
 */
export function userinfoRoutes(deps: UserinfoRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    const config: FastifyContextConfig = { errors: 'oauth', cors: 'client' }
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store')
    })

    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const token = bearerToken(request, reply)
      const refuse = (): never => {
        reply.header('www-authenticate', 'Bearer realm="tessera", error="invalid_token"')
        throw new TesseraError('invalid_token')
      }
      const claims = await deps.verifyAccessToken(token)
      if (!claims || claims.aud !== deps.audience) return refuse()
      const application = await deps.applications.find(claims.clientId)
      if (!application || !(await deps.introspection.introspect(application, token)).active) return refuse()
      if (!claims.scope.includes('openid')) {
        // RFC 6750 §3.1: insufficient_scope, naming the scope needed.
        reply.header('www-authenticate', 'Bearer realm="tessera", error="insufficient_scope", scope="openid"')
        throw new TesseraError('insufficient_scope')
      }
      const user = await deps.stores.users.findById(claims.sub)
      if (!user) return refuse()
      return {
        sub: user.id,
        ...(claims.scope.includes('email') ? emailClaims(user) : {}),
        ...(claims.scope.includes('profile') ? profileClaims(user) : {}),
      }
    }

    app.get('/oauth/userinfo', { config }, async (request, reply) => handle(request, reply))
    app.post('/oauth/userinfo', { config }, async (request, reply) => handle(request, reply))
  }
}

/** RFC 6750 §2.1 and §3.1: no credentials at all gets a bare challenge; a malformed header is invalid_request. */
function bearerToken(request: FastifyRequest, reply: FastifyReply): string {
  const header = request.headers.authorization
  if (header === undefined) {
    reply.header('www-authenticate', 'Bearer realm="tessera"')
    throw new TesseraError('invalid_token', { detail: 'send the access token as Authorization: Bearer' })
  }
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header)
  if (!match) {
    reply.header('www-authenticate', 'Bearer realm="tessera", error="invalid_request"')
    throw new TesseraError('invalid_request', { detail: 'Authorization must be "Bearer <access token>"' })
  }
  return match[1] as string
}
