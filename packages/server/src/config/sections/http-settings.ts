import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** The HTTP server: shutdown drain, body size, and the origins allowed to change state with a cookie. */
export const HttpSettings = Type.Object(
  {
    shutdownDelay: seconds(
      0,
      0,
      'TESSERA_HTTP_SHUTDOWN_DELAY',
      "On SIGTERM, /readyz answers 503 for this long while requests are still served, so a load balancer takes the instance out before it stops (set it above the balancer's checks: interval × failures). 0 stops at once.",
    ),
    bodyLimit: Type.Integer({
      default: 65536,
      minimum: 1024,
      maximum: 1048576,
      env: 'TESSERA_HTTP_BODY_LIMIT',
      description: 'Largest accepted request body, in bytes; larger bodies get 413 before they are parsed.',
    }),
    allowedOrigins: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      env: 'TESSERA_ALLOWED_ORIGINS',
      description:
        'Origins, besides the issuer, allowed to make cookie-authenticated state changes (comma-separated in the environment). Every other origin is refused as cross-site.',
    }),
  },
  { default: {}, additionalProperties: false },
)
