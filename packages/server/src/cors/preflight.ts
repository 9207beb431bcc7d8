import type { FastifyReply, FastifyRequest } from 'fastify'
import { TesseraError } from '../shared/errors.js'
import type { CorsDeps, CorsRoute } from './cors-deps.js'

/** Request headers a page may send to a `client` route: its credentials and the form type. */
// RFC 9449: a page sends its DPoP proof in the DPoP header and reads the server's nonce in DPoP-Nonce.
const CLIENT_REQUEST_HEADERS = 'Authorization, Content-Type, DPoP'

/** How long a browser may cache a preflight answer; the actual request is checked every time. */
const MAX_AGE_SECONDS = '600'

/** Header names a page may ask to send to a public document (Fetch §3.2.2, a field-name list). */
const HEADER_LIST = /^[A-Za-z0-9-]+(?:\s*,\s*[A-Za-z0-9-]+)*$/

/**
 * Fetch §3.2.2: the `OPTIONS` preflight. It carries no credentials and names no client, so a
 * `client` route lets an origin through here only if some application allows it; the actual
 * request is then checked against the client it authenticates or names (cors-hooks.ts).
 */
export async function answerPreflight(request: FastifyRequest, reply: FastifyReply, route: CorsRoute, deps: CorsDeps) {
  const methods = [...route.methods].join(', ')
  const origin = request.headers.origin
  const method = request.headers['access-control-request-method']
  if (route.policy === 'client') reply.header('vary', 'Origin')
  // Not a CORS preflight: an OPTIONS request asking what the resource supports (RFC 9110 §9.3.7).
  if (origin === undefined || method === undefined) return reply.code(204).header('allow', `OPTIONS, ${methods}`).send()

  if (route.policy === 'public') {
    const asked = request.headers['access-control-request-headers']
    reply.header('access-control-allow-origin', '*')
    if (typeof asked === 'string' && asked.length <= 200 && HEADER_LIST.test(asked)) reply.header('access-control-allow-headers', asked)
  } else {
    if (!(await deps.isOriginOfAnyApplication(origin))) throw new TesseraError('origin_not_allowed')
    reply.header('access-control-allow-origin', origin)
    reply.header('access-control-allow-headers', CLIENT_REQUEST_HEADERS)
  }
  return reply.code(204).header('access-control-allow-methods', methods).header('access-control-max-age', MAX_AGE_SECONDS).send()
}
