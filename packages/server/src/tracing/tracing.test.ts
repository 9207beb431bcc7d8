import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createTestServer } from '../../test/test-server.js'

/**
 * OpenTelemetry's SDK modules this process has loaded (their CommonJS builds, which Node loads for
 * `import` too). The API package is left out: prom-client loads that small no-op facade by itself
 * once it is installed, tracing or not.
 */
function loadedOpenTelemetry(): string[] {
  return Object.keys(createRequire(import.meta.url).cache).filter(
    (path) => path.includes('@opentelemetry/') && !path.includes('@opentelemetry/api/'),
  )
}

interface OtlpValue {
  stringValue?: string
  intValue?: string | number
}
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: { key: string; value: OtlpValue }[]
  status?: { code?: number }
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[]
}

/** A real OTLP/HTTP (JSON) receiver on loopback: it keeps every export it is sent. */
async function otlpReceiver(): Promise<{ url: string; exports: OtlpExport[]; contentTypes: string[] }> {
  const exports: OtlpExport[] = []
  const contentTypes: string[] = []
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') {
        contentTypes.push(String(request.headers['content-type']))
        exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport)
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const address = server.address() as { port: number }
  return { url: `http://127.0.0.1:${address.port}/v1/traces`, exports, contentTypes }
}

const attribute = (attributes: { key: string; value: OtlpValue }[], key: string) => {
  const value = attributes.find((entry) => entry.key === key)?.value
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue))
}

describe('OpenTelemetry tracing', () => {
  // First in this file, so nothing else has loaded OpenTelemetry into the process yet.
  it('loads none of the OpenTelemetry SDK when no endpoint is configured', async () => {
    const server = await createTestServer()
    onTestFinished(() => server.close())
    expect((await server.app.inject({ method: 'GET', url: '/v1/session' })).statusCode).toBe(401)
    expect(loadedOpenTelemetry()).toEqual([])
  })

  it('exports a span per request to an OTLP/HTTP receiver, with its route and status, in the caller’s trace', async () => {
    const receiver = await otlpReceiver()
    const server = await createTestServer({ config: { tracing: { endpoint: receiver.url, serviceName: 'tessera-test' } } })
    // The control for the test above: with an endpoint, the modules are there.
    expect(loadedOpenTelemetry().length).toBeGreaterThan(0)

    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const parentId = '00f067aa0ba902b7'
    const traced = await server.app.inject({
      method: 'GET',
      url: '/v1/session?secret=not-in-spans',
      headers: { traceparent: `00-${traceId}-${parentId}-01` },
    })
    expect(traced.statusCode).toBe(401)
    expect((await server.app.inject({ method: 'GET', url: '/no/such/path' })).statusCode).toBe(404)
    // Shutdown exports what is pending.
    await server.close()

    expect(receiver.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true)
    const resourceSpans = receiver.exports.flatMap((body) => body.resourceSpans)
    expect(attribute(resourceSpans[0]?.resource.attributes ?? [], 'service.name')).toBe('tessera-test')
    const spans = resourceSpans.flatMap((entry) => entry.scopeSpans.flatMap((scope) => scope.spans))
    const session = spans.find((span) => span.name === 'GET /v1/session')
    expect(session).toBeDefined()
    expect(session?.kind).toBe(2) // SERVER
    expect(session?.traceId).toBe(traceId)
    expect(session?.parentSpanId).toBe(parentId)
    expect(attribute(session?.attributes ?? [], 'http.route')).toBe('/v1/session')
    expect(attribute(session?.attributes ?? [], 'http.request.method')).toBe('GET')
    expect(attribute(session?.attributes ?? [], 'http.response.status_code')).toBe(401)
    expect(attribute(session?.attributes ?? [], 'tessera.request_id')).toBe(traced.headers['x-request-id'])
    // The route pattern only: the query string and unknown paths never reach a span.
    expect(JSON.stringify(spans)).not.toContain('not-in-spans')
    const unmatched = spans.find((span) => span.name === 'GET (unmatched)')
    expect(attribute(unmatched?.attributes ?? [], 'http.response.status_code')).toBe(404)
    expect(JSON.stringify(spans)).not.toContain('/no/such/path')
  })
})
