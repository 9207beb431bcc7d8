import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ApplicationService } from '../applications/application-service.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import type { Clock } from '../shared/clock.js'
import { isTesseraError, TesseraError } from '../shared/errors.js'
import type { AccessTokenVerifier } from '../tokens/access-token-verifier.js'
import type { DpopCheck } from '../tokens/dpop/dpop-check.js'
import type { DpopNonces } from '../tokens/dpop/dpop-nonce.js'
import { DPOP_ALGORITHMS } from '../tokens/dpop/dpop-proof.js'
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
  /** RFC 9449 §7: DPoP-bound tokens come with `Authorization: DPoP` and a proof for this endpoint. */
  dpop?: { check: DpopCheck; nonces: DpopNonces | null; clock: Clock; userinfoEndpoint: string }
}

const DPOP_CHALLENGE = `DPoP algs="${DPOP_ALGORITHMS.join(' ')}"`

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
      if (deps.dpop?.nonces) reply.header('dpop-nonce', deps.dpop.nonces.current(deps.dpop.clock.now()))
    })

    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const { scheme, token } = accessToken(request, reply)
      const refuse = (): never => {
        reply.header(
          'www-authenticate',
          scheme === 'DPoP' ? `${DPOP_CHALLENGE}, error="invalid_token"` : 'Bearer realm="tessera", error="invalid_token"',
        )
        throw new TesseraError('invalid_token')
      }
      const claims = await deps.verifyAccessToken(token)
      if (!claims || claims.aud !== deps.audience) return refuse()
      // RFC 9449 §7.1: a bound token only with the DPoP scheme and a proof of its key; the DPoP
      // scheme only with a bound token.
      if ((claims.jkt !== null) !== (scheme === 'DPoP')) return refuse()
      if (claims.jkt !== null) await proveKey(request, reply, token, claims.jkt)
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

    /** RFC 9449 §4.3 and §7.1: the proof is for this request, carries the token's hash, and is signed by its key. */
    async function proveKey(request: FastifyRequest, reply: FastifyReply, token: string, jkt: string): Promise<void> {
      const challenge = (error: string) => reply.header('www-authenticate', `${DPOP_CHALLENGE}, error="${error}"`)
      if (!deps.dpop) {
        challenge('invalid_token')
        throw new TesseraError('invalid_token')
      }
      let proven: string | null = null
      try {
        const proof = await deps.dpop.check(request.headers.dpop, {
          method: request.method,
          url: deps.dpop.userinfoEndpoint,
          accessToken: token,
        })
        proven = proof?.jkt ?? null
      } catch (error) {
        if (isTesseraError(error) && error.code === 'use_dpop_nonce') {
          challenge('use_dpop_nonce')
          throw new TesseraError('dpop_nonce_required')
        }
        if (!isTesseraError(error) || error.code !== 'invalid_dpop_proof') throw error
      }
      if (proven !== jkt) {
        challenge('invalid_dpop_proof')
        throw new TesseraError('dpop_proof_refused')
      }
    }

    app.get('/oauth/userinfo', { config }, async (request, reply) => handle(request, reply))
    app.post('/oauth/userinfo', { config }, async (request, reply) => handle(request, reply))
  }
}

/**
 * RFC 6750 §2.1 and §3.1, RFC 9449 §7.1: no credentials at all gets a bare challenge; a malformed
 * header is invalid_request.
 */
function accessToken(request: FastifyRequest, reply: FastifyReply): { scheme: 'Bearer' | 'DPoP'; token: string } {
  const header = request.headers.authorization
  if (header === undefined) {
    reply.header('www-authenticate', `Bearer realm="tessera", ${DPOP_CHALLENGE}`)
    throw new TesseraError('invalid_token', { detail: 'send the access token as Authorization: Bearer (or DPoP)' })
  }
  const match = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header)
  if (!match) {
    reply.header('www-authenticate', 'Bearer realm="tessera", error="invalid_request"')
    throw new TesseraError('invalid_request', { detail: 'Authorization must be "Bearer <access token>" or "DPoP <access token>"' })
  }
  return { scheme: (match[1] as string).toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', token: match[2] as string }
}
