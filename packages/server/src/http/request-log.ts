/** The fields of a request Tessera logs (Fastify's default `req` serializer, minus secrets in the URL). */
interface LoggedRequest {
  method?: string
  url?: string
  hostname?: string
  host?: string
  ip?: string
  socket?: { remotePort?: number }
  headers?: Record<string, unknown>
}

/**
 * Paths whose query string carries another party's secrets: the callback of an upstream identity
 * provider receives its authorization code and our `state` secret (docs/connections.md). The log
 * keeps the path, never the query (OWASP Logging Cheat Sheet: no tokens in logs).
 */
const SECRET_QUERY_PATHS = ['/oauth/callback/']

export function logUrl(url: string | undefined): string | undefined {
  if (url === undefined) return url
  const at = url.indexOf('?')
  if (at < 0) return url
  const path = url.slice(0, at)
  return SECRET_QUERY_PATHS.some((prefix) => path.startsWith(prefix)) ? `${path}?[redacted]` : url
}

/** pino's `req` serializer for the request log. */
export function serializeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: logUrl(request.url),
    host: request.host ?? (request.headers?.host as string | undefined),
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}
