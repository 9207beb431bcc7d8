import type { Context, Span } from '@opentelemetry/api'

export interface TracingSettings {
  /** The OTLP/HTTP traces endpoint, e.g. `http://collector:4318/v1/traces`. */
  endpoint: string
  serviceName: string
  /** Share of new traces recorded, 0 to 1; a request that arrives in a sampled trace is always recorded. */
  sampleRatio: number
  /** This instance, for `service.instance.id`. */
  instanceId: string
}

/** A request's span, started when the request arrives and ended with its response. */
export interface RequestSpan {
  end(result: { route: string; status: number; requestId: string }): void
}

export interface Tracing {
  /** A SERVER span for one request, a child of the caller's `traceparent` when there is one (W3C Trace Context). */
  startRequest(method: string, headers: Record<string, string | string[] | undefined>): RequestSpan
  /** Exports what is pending and stops: called at shutdown. */
  shutdown(): Promise<void>
}

/** An export that takes longer is dropped: a slow collector must not hold up a shutdown for long. */
const EXPORT_TIMEOUT_MS = 2_000

/**
 * OpenTelemetry tracing, loaded only when an endpoint is configured: nothing else in Tessera
 * imports an OpenTelemetry module at run time (tracing.test.ts checks it), so an instance without
 * tracing loads none of it. Spans go out in batches over OTLP/HTTP (JSON); a collector that is
 * down loses spans, never requests. The provider is this instance's own, never registered globally.
 */
export async function startTracing(settings: TracingSettings): Promise<Tracing> {
  const [api, core, resources, sdk, exporter] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ])
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({
      'service.name': settings.serviceName,
      'service.instance.id': settings.instanceId,
    }),
    sampler: new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors: [
      new sdk.BatchSpanProcessor(new exporter.OTLPTraceExporter({ url: settings.endpoint, timeoutMillis: EXPORT_TIMEOUT_MS })),
    ],
  })
  const tracer = provider.getTracer('tessera')
  const propagator = new core.W3CTraceContextPropagator()

  return {
    startRequest(method, headers) {
      const parent: Context = propagator.extract(api.ROOT_CONTEXT, headers, api.defaultTextMapGetter)
      const span: Span = tracer.startSpan(method, { kind: api.SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent)
      return {
        end({ route, status, requestId }) {
          // The route pattern, never the raw URL: no query string, no identifier (OpenTelemetry HTTP semantic conventions).
          span.updateName(`${method} ${route}`)
          span.setAttributes({ 'http.route': route, 'http.response.status_code': status, 'tessera.request_id': requestId })
          if (status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR })
          span.end()
        },
      }
    },
    shutdown: () => provider.shutdown(),
  }
}
