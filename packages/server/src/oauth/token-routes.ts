import type { FastifyContextConfig, FastifyInstance } from 'fastify'
import { type Application, GRANT_TYPES, type GrantType } from '../applications/application.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { type GrantName, type Metrics, noMetrics } from '../shared/metrics.js'
import type { DpopCheck } from '../tokens/dpop/dpop-check.js'
import type { DpopNonces } from '../tokens/dpop/dpop-nonce.js'
import type { TokenGrants } from '../tokens/grants/token-grants.js'
import type { IntrospectionResponse, IntrospectionService } from '../tokens/introspection-service.js'
import type { TokenResponse } from '../tokens/token-response.js'
import type { TokenRevocationService } from '../tokens/token-revocation-service.js'
import type { AuthenticateClient } from './client-authentication.js'
import { type OAuthForm, readOAuthForm } from './oauth-form.js'

export interface TokenRoutesDeps {
  grants: TokenGrants
  introspection: IntrospectionService
  revocation: TokenRevocationService
  authenticateClient: AuthenticateClient
  /** Counts tokens issued by grant (none when absent). */
  metrics?: Pick<Metrics, 'tokenIssued'>
  /** RFC 9449: checks a request's DPoP proof (tokens/dpop/dpop-check.ts); absent, DPoP headers are refused. */
  dpop?: { check: DpopCheck; nonces: DpopNonces | null; clock: Clock; tokenEndpoint: string }
}

type GrantHandler = (grants: TokenGrants, application: Application, form: OAuthForm, dpopJkt: string | null) => Promise<TokenResponse>

/** Each `grant_type` and the parameters its grant reads (RFC 6749 §4.1.3, §6, §4.4; RFC 8693 §2.1; RFC 8628 §3.4). */
const GRANT_HANDLERS: Record<GrantType, GrantHandler> = {
  [GRANT_TYPES.authorization_code]: (grants, application, form, dpopJkt) =>
    grants.authorizationCode(application, {
      code: form.get('code'),
      redirectUri: form.get('redirect_uri'),
      codeVerifier: form.get('code_verifier'),
      resource: form.all('resource'),
      dpopJkt,
    }),
  [GRANT_TYPES.refresh_token]: (grants, application, form, dpopJkt) =>
    grants.refresh(application, {
      refreshToken: form.get('refresh_token'),
      scope: form.get('scope'),
      resource: form.all('resource'),
      dpopJkt,
    }),
  [GRANT_TYPES.client_credentials]: (grants, application, form, dpopJkt) =>
    grants.clientCredentials(application, { resource: form.all('resource'), scope: form.get('scope'), dpopJkt }),
  [GRANT_TYPES.token_exchange]: (grants, application, form, dpopJkt) =>
    grants.exchange(application, {
      subjectToken: form.get('subject_token'),
      subjectTokenType: form.get('subject_token_type'),
      requestedTokenType: form.get('requested_token_type'),
      resource: form.all('resource'),
      scope: form.get('scope'),
      dpopJkt,
    }),
  // RFC 8628 §3.4.
  [GRANT_TYPES.device_code]: (grants, application, form, dpopJkt) =>
    grants.deviceCode(application, { deviceCode: form.get('device_code'), resource: form.all('resource'), dpopJkt }),
}

/** The metrics label of each grant: its short name, also for the token-exchange URN. */
const GRANT_NAMES = Object.fromEntries(Object.entries(GRANT_TYPES).map(([name, type]) => [type, name])) as Record<GrantType, GrantName>

/** RFC 9449 §5: the token endpoint's proof is for a POST to the token endpoint itself. */
async function checkProof(header: string | string[] | undefined, dpop: TokenRoutesDeps['dpop']): Promise<string | null> {
  if (header === undefined) return null
  if (!dpop) throw new TesseraError('invalid_dpop_proof', { detail: 'DPoP is not enabled' })
  const proof = await dpop.check(header, { method: 'POST', url: dpop.tokenEndpoint })
  return proof?.jkt ?? null
}

function grantHandler(grantType: string): GrantHandler | undefined {
  return Object.hasOwn(GRANT_HANDLERS, grantType) ? GRANT_HANDLERS[grantType as GrantType] : undefined
}

const JSON_UTF8 = 'application/json; charset=utf-8'

/**
 * The JSON Fastify would make of an answer. A frozen answer stays as it is (the introspection
 * service returns the same frozen object for a read-cache hit), so it is serialised once (issue 17).
 */
function serialiseOnce(): (response: object) => string {
  const bodies = new WeakMap<object, string>()
  return (response) => {
    const held = bodies.get(response)
    if (held !== undefined) return held
    const body = JSON.stringify(response)
    if (Object.isFrozen(response)) bodies.set(response, body)
    return body
  }
}

/** `POST /oauth/token`, `/oauth/revoke` (RFC 7009) and `/oauth/introspect` (RFC 7662). */
export function tokenRoutes(deps: TokenRoutesDeps) {
  const metrics = deps.metrics ?? noMetrics
  return async (app: FastifyInstance) => {
    // OAuth endpoints take form bodies only (RFC 6749 §3.2); a JSON body is refused.
    await acceptFormBodiesOnly(app)
    const config: FastifyContextConfig = { errors: 'oauth', cors: 'client' }
    // Callback style: no promise per response (issue 17).
    app.addHook('onSend', (_request, reply, payload, done) => {
      // RFC 6749 §5.1: token responses must not be cached.
      reply.header('cache-control', 'no-store')
      reply.header('pragma', 'no-cache')
      // RFC 9449 §8.2: a fresh server nonce on every answer, so a client always has a current one.
      if (deps.dpop?.nonces) reply.header('dpop-nonce', deps.dpop.nonces.current(deps.dpop.clock.now()))
      done(null, payload)
    })

    app.post('/oauth/token', { config }, async (request) => {
      const form = readOAuthForm(request.body, request.query)
      const grantType = form.get('grant_type')
      if (!grantType) throw new TesseraError('invalid_request', { detail: 'grant_type is required' })
      const application = await deps.authenticateClient(request, form)
      const handler = grantHandler(grantType)
      if (!handler) throw new TesseraError('unsupported_grant_type')
      const proof = await checkProof(request.headers.dpop, deps.dpop)
      const response = await handler(deps.grants, application, form, proof)
      metrics.tokenIssued(GRANT_NAMES[grantType as GrantType])
      return response
    })

    app.post('/oauth/revoke', { config }, async (request, reply) => {
      const form = readOAuthForm(request.body, request.query)
      const application = await deps.authenticateClient(request, form)
      const token = form.get('token')
      if (!token) throw new TesseraError('invalid_request', { detail: 'token is required' })
      await deps.revocation.revoke(application, token)
      return reply.code(200).send()
    })

    // No CORS: public clients cannot introspect (RFC 7662 §2.1), so no page has a reason to.
    const introspectionBody = serialiseOnce()
    // Not async: the client is usually authenticated, and the token judged, without a wait (the config
    // cache and the read cache hold what they read), so only what must wait makes a promise (issue 17).
    // A throw here is answered as from an async handler (Fastify catches it). An answer that waits
    // (PostgreSQL's batched read, a cache miss) is sent by its own reaction, and its failure is sent
    // as Fastify sends a rejected handler's: no promise is handed back for Fastify to wrap again.
    app.post('/oauth/introspect', { config: { errors: 'oauth' } }, (request, reply) => {
      const form = readOAuthForm(request.body, request.query)
      const answer = (application: Application) => {
        const token = form.get('token')
        if (!token) throw new TesseraError('invalid_request', { detail: 'token is required' })
        return deps.introspection.introspect(application, token)
      }
      const send = (response: IntrospectionResponse) => {
        reply.type(JSON_UTF8).send(introspectionBody(response))
      }
      const fail = (error: unknown) => {
        reply.send(error instanceof Error ? error : new Error(String(error)))
      }
      // RFC 7662 §2.1: the caller must authenticate; public clients cannot.
      const application = deps.authenticateClient(request, form, { allowPublic: false })
      if (application instanceof Promise) {
        application.then(answer).then(send, fail)
        return
      }
      const response = answer(application)
      if (response instanceof Promise) {
        response.then(send, fail)
        return
      }
      send(response)
    })
  }
}
