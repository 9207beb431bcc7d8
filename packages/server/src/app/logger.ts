import pino, { type DestinationStream, type Logger } from 'pino'
import type { Config } from '../config/config-schema.js'
import { serializeRequest } from '../http/request-log.js'

/** Log paths that may hold a secret; pino replaces them (no secret or token in logs). */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.hash',
  '*.masterKey',
  '*.client_secret',
  '*.refresh_token',
  '*.access_token',
  '*.subject_token',
]

/** The one logger of an instance: the configured level, secrets redacted, to stdout unless a stream is given. */
export function createLogger(config: Config, stream?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      // The request log keeps no secret from a URL (an upstream's code at our callback: http/request-log.ts).
      serializers: { req: serializeRequest },
    },
    stream,
  )
}
