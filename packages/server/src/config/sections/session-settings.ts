import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** How long a browser session lives, idle and absolute. */
export const SessionSettings = Type.Object(
  {
    idleTimeout: seconds(3 * 24 * 3600, 60, 'TESSERA_SESSION_IDLE_TIMEOUT', 'A session unused for this long expires.'),
    absoluteLifetime: seconds(
      30 * 24 * 3600,
      60,
      'TESSERA_SESSION_ABSOLUTE_LIFETIME',
      'A session expires this long after sign-in, however active (OWASP Session Management Cheat Sheet).',
    ),
    activityInterval: seconds(
      60,
      60,
      'TESSERA_SESSION_ACTIVITY_INTERVAL',
      'Last activity is written at most this often per session, so reads stay free of writes. The idle timeout is exact to within this interval.',
    ),
  },
  { default: {}, additionalProperties: false },
)
