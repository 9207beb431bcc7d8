import { Type } from '@sinclair/typebox'

/** Redis, shared by every instance for revocation signals and per-IP counts (optional). */
export const redisSettings = {
  redisUrl: Type.String({
    default: '',
    env: 'TESSERA_REDIS_URL',
    description:
      '`redis://host:port` to pass revocations between instances by pub/sub (PostgreSQL LISTEN/NOTIFY does it without Redis) and to count per-IP rate limits (the database does it without Redis). Empty means no Redis.',
  }),
  redisOptional: Type.Boolean({
    default: false,
    env: 'TESSERA_REDIS_OPTIONAL',
    description:
      'Start even when the configured Redis does not answer, and say so in the log: revocations then reach other instances through PostgreSQL LISTEN/NOTIFY or the feed poll until Redis answers (it is retried with back-off). Off by default, so a wrong `redisUrl` fails the start instead of going unnoticed.',
  }),
}
