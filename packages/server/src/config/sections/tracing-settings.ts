import { Type } from '@sinclair/typebox'

/** OpenTelemetry tracing. */
export const TracingSettings = Type.Object(
  {
    endpoint: Type.String({
      default: '',
      env: 'TESSERA_TRACING_ENDPOINT',
      description:
        'An OTLP/HTTP traces endpoint (`http://collector:4318/v1/traces`): each request becomes an OpenTelemetry span with its route and status. Empty (the default) turns tracing off and loads none of OpenTelemetry. Headers for the collector come from `OTEL_EXPORTER_OTLP_HEADERS`.',
    }),
    serviceName: Type.String({
      default: 'tessera',
      minLength: 1,
      env: 'TESSERA_TRACING_SERVICE_NAME',
      description: 'The `service.name` of the spans.',
    }),
    samplePercent: Type.Integer({
      default: 100,
      minimum: 0,
      maximum: 100,
      env: 'TESSERA_TRACING_SAMPLE_PERCENT',
      description:
        'Share of new traces recorded, in percent. A request that carries a sampled W3C `traceparent` is always recorded, so a trace started upstream stays whole.',
    }),
  },
  { default: {}, additionalProperties: false },
)
