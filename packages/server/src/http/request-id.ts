import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The header a request id arrives in and is echoed back in. */
export const REQUEST_ID_HEADER = 'x-request-id'

/**
 * A caller's (or a proxy's) id is kept only when it is short and made of characters that are safe
 * in a header, a log line and a JSON string: nothing to inject, nothing to bloat (OWASP Logging
 * Cheat Sheet, "Event data sources": sanitise data from outside before logging it).
 */
const ACCEPTABLE = /^[A-Za-z0-9._:@/+=-]{1,64}$/

/**
 * Fastify's `genReqId`: the incoming `X-Request-Id` when acceptable, else a random UUID, so logs
 * of several instances and the caller's own logs can be joined on one id.
 * @example
 * Fastify({ genReqId: requestIdOf, requestIdHeader: false, requestIdLogLabel: 'requestId' })
 */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER]
  return typeof incoming === 'string' && ACCEPTABLE.test(incoming) ? incoming : randomUUID()
}
