import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { METRICS_PATH } from './metrics-routes.js'
import type { PrometheusMetrics } from './prometheus-metrics.js'

export interface MetricsServer {
  /** `http://host:port`, as bound. */
  address: string
  port: number
  close(): Promise<void>
}

/**
 * The plain metrics port (config `metrics.port`): `GET /metrics` without authentication, for a
 * scraper on a private network, and nothing else. It binds `metrics.host` (loopback by default);
 * whoever reaches it reads operational figures but no user data or secret.
 */
export async function startMetricsServer(
  metrics: Pick<PrometheusMetrics, 'render'>,
  options: { host: string; port: number; onError: (error: unknown) => void },
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0]
    if (path !== METRICS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(path === METRICS_PATH ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n')
      return
    }
    metrics.render().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' })
        response.end(request.method === 'HEAD' ? undefined : body)
      },
      (error: unknown) => {
        options.onError(error)
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics unavailable\n')
      },
    )
  })
  // Slow or idle scrapers must not hold sockets forever.
  server.requestTimeout = 10_000
  server.headersTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', options.onError)
  const bound = server.address() as AddressInfo
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address
  return {
    address: `http://${host}:${bound.port}`,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
