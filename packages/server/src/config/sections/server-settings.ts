import { Type } from '@sinclair/typebox'

/** Where and how the process runs: environment, address, public URL, storage, logging. */
export const serverSettings = {
  env: Type.Union([Type.Literal('development'), Type.Literal('production')], {
    default: 'development',
    env: 'TESSERA_ENV',
    description: 'Production refuses insecure settings: a plain-http issuer and cookies without `Secure`.',
  }),
  port: Type.Integer({
    default: 4000,
    minimum: 0,
    maximum: 65535,
    env: 'TESSERA_PORT',
    description: 'TCP port to listen on (0 picks a free one).',
  }),
  host: Type.String({
    default: 'localhost',
    minLength: 1,
    env: 'TESSERA_HOST',
    description: 'Interface to bind. `localhost` keeps Tessera off the network; use `0.0.0.0` behind a proxy or in a container.',
  }),
  issuer: Type.String({
    default: '',
    env: 'TESSERA_ISSUER',
    description:
      'Public base URL of this server, exactly as clients see it. Empty means `http://localhost:<port>`. Must be https in production.',
  }),
  dataDir: Type.String({
    default: './data',
    minLength: 1,
    env: 'TESSERA_DATA_DIR',
    description: 'Directory for the embedded database and generated files.',
  }),
  databaseUrl: Type.String({
    default: '',
    env: 'TESSERA_DATABASE_URL',
    description:
      '`sqlite:PATH` or `postgres://user@host:port/db` (add `?schema=NAME` to use a schema other than `public`, and `preparedStatements=off` behind a pooler that cannot keep prepared statements, such as PgBouncer before 1.21 in transaction mode). Empty means SQLite at `<dataDir>/tessera.db`.',
  }),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info', env: 'TESSERA_LOG_LEVEL', description: 'Log level. Secrets are redacted at every level.' },
  ),
  trustProxy: Type.Boolean({
    default: false,
    env: 'TESSERA_TRUST_PROXY',
    description: 'Trust `X-Forwarded-For` for the client IP. Enable only behind a proxy you control, or IP limits can be bypassed.',
  }),
}
