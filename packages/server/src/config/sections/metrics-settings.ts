import { Type } from '@sinclair/typebox'

/** The Prometheus metrics port. */
export const MetricsSettings = Type.Object(
  {
    port: Type.Integer({
      default: 0,
      minimum: 0,
      maximum: 65535,
      env: 'TESSERA_METRICS_PORT',
      description:
        'A second port that serves `GET /metrics` without authentication, for a Prometheus scraper on a private network. 0 (the default) means no such port; `/metrics` on the main port always needs an admin token with `admin:read`.',
    }),
    host: Type.String({
      default: '127.0.0.1',
      minLength: 1,
      env: 'TESSERA_METRICS_HOST',
      description:
        'Interface the metrics port binds. Loopback by default; name a private interface (never a public one) for a scraper on another machine.',
    }),
  },
  { default: {}, additionalProperties: false },
)
