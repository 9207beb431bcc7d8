import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, preHandlerHookHandler } from 'fastify'
import { allowedWebOrigins } from '../applications/web-origin.js'
import { TesseraError } from '../shared/errors.js'
import type { CorsDeps, CorsRoute } from './cors-deps.js'
import { answerPreflight } from './preflight.js'
import { requestClientId } from './request-client.js'

/** What a page allowed to call a `client` route may read besides the CORS-safelisted headers. */
const EXPOSED_HEADERS = 'WWW-Authenticate, Retry-After, DPoP-Nonce'

/**
 * CORS for the routes that declare a policy (`config: { cors: 'public' | 'client' }`), and the
 * `OPTIONS` preflight for each. Installed on the root before any route, like error handling.
 * `Access-Control-Allow-Credentials` is never sent: none of these endpoints reads a cookie, so a
 * page's request carries no ambient credentials (Fetch §3.2.5).
 */
export function installCors(app: FastifyInstance, deps: CorsDeps): void {
  const routes = new Map<string, CorsRoute>()

  // Callback-style, not async: an async hook costs a promise and a turn of the microtask queue.
  const allowAnyOrigin: onRequestHookHandler = (_request, reply, done) => {
    reply.header('access-control-allow-origin', '*')
    done()
  }
  // The answer depends on Origin, so a cache must not serve it to another origin.
  const varyOnOrigin: onRequestHookHandler = (_request, reply, done) => {
    reply.header('vary', 'Origin')
    done()
  }
  // After the body is parsed (the client may be named in it), before the handler: a request from
  // an origin the client does not allow is refused here, so no code is spent and nothing is
  // revoked (issue 16: "simple" cross-origin POSTs need no preflight, yet reach the server).
  const refuseOtherOrigins: preHandlerHookHandler = (request, reply, done) => {
    const origin = request.headers.origin
    if (origin === undefined || origin === deps.issuerOrigin) return done()
    originAllowedForClient(request, origin, deps).then((allowed) => {
      if (!allowed) return done(new TesseraError('origin_not_allowed'))
      reply.header('access-control-allow-origin', origin)
      reply.header('access-control-expose-headers', EXPOSED_HEADERS)
      done()
    }, done)
  }

  // The hooks go on the routes that declare a policy, when each is registered, never on the
  // others: a global hook ran on every request and read `request.routeOptions` (an object Fastify
  // builds at each read) to find most routes had nothing to do (issue 17). Each goes first among
  // its route's own hooks, where the global hook ran; the routes with a policy have no hook of
  // their plugin's in that phase to run before it (a plugin-level hook would).
  app.addHook('onRoute', (route) => {
    const policy = route.config?.cors
    if (!policy) return
    const entry = routes.get(route.url) ?? { policy, methods: new Set<string>() }
    for (const method of [route.method].flat()) entry.methods.add(method)
    routes.set(route.url, entry)
    // New arrays: the route's options may be shared (Fastify registers HEAD from the GET's options).
    route.onRequest = [policy === 'public' ? allowAnyOrigin : varyOnOrigin, ...hooksOf(route.onRequest)]
    if (policy === 'client') route.preHandler = [refuseOtherOrigins, ...hooksOf(route.preHandler)]
  })

  app.options('/*', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = routes.get(request.url.split('?')[0] as string)
    if (!route) throw new TesseraError('not_found')
    return answerPreflight(request, reply, route, deps)
  })
}

async function originAllowedForClient(request: FastifyRequest, origin: string, deps: CorsDeps): Promise<boolean> {
  const clientId = await requestClientId(request, deps.clientOfAccessToken)
  const application = clientId === null ? null : await deps.findApplication(clientId)
  return application !== null && allowedWebOrigins(application).includes(origin)
}

/** A route option's hooks as a list: Fastify takes one function or an array. */
function hooksOf<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return []
  return Array.isArray(hooks) ? hooks : [hooks]
}
