import { Type } from '@sinclair/typebox'
import { seconds } from './seconds.js'

/** The revocation feed. */
export const FeedSettings = Type.Object(
  {
    heartbeatInterval: seconds(
      5,
      1,
      'TESSERA_FEED_HEARTBEAT_INTERVAL',
      'How often the revocation stream sends a heartbeat, so subscribers can measure their staleness.',
    ),
    pollInterval: Type.Integer({
      default: 1000,
      minimum: 50,
      maximum: 60000,
      env: 'TESSERA_FEED_POLL_INTERVAL',
      description:
        'Milliseconds between checks of the revocation log, the floor under LISTEN/NOTIFY and Redis (and how another process writing the same SQLite file is noticed).',
    }),
  },
  { default: {}, additionalProperties: false },
)
