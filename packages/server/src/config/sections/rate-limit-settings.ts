import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** Per-IP limits on credential requests. */
export const RateLimitSettings = Type.Object(
  {
    credentialRequestsPerIp: Type.Integer({
      default: 30,
      minimum: 1,
      env: 'TESSERA_RATE_LIMIT_CREDENTIALS_PER_IP',
      description:
        'Sign-in and sign-up requests allowed per client IP in each window, on top of the per-account throttle. The authorization endpoint allows ten times as many. Counted across all instances: in Redis when `redisUrl` is set (in the database while Redis does not answer), in the database otherwise.',
    }),
    window: seconds(60, 1, 'TESSERA_RATE_LIMIT_WINDOW', 'Length of the per-IP rate-limit window.'),
  },
  { default: {}, additionalProperties: false },
)
