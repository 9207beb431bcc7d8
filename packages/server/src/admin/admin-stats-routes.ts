import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { StatsService } from '../stats/stats-service.js'
import { ADMIN_READ } from './admin-api.js'
import { responses, Timestamp } from './admin-schemas.js'

const Count = Type.Integer({ minimum: 0 })
const SignInPoint = Type.Object({ at: Timestamp, succeeded: Count, failed: Count })
const Millis = Type.Union([Type.Number({ minimum: 0 }), Type.Null()])

const StatsBody = Type.Object({
  generatedAt: Timestamp,
  counts: Type.Object(
    { users: Count, activeSessions: Count, applications: Count, apis: Count },
    { description: 'Active sessions: unrevoked, within their lifetime, not idle past the idle timeout.' },
  ),
  signIns: Type.Object(
    {
      hourly: Type.Array(SignInPoint, { description: 'The last 24 hours (UTC, the current one included), oldest first.' }),
      daily: Type.Array(SignInPoint, { description: 'The last 30 days (UTC, today included), oldest first.' }),
    },
    { description: 'Password sign-ins from the audit log (every instance): succeeded, and failed (wrong password or unknown account).' },
  ),
  tokensIssued: Type.Object(
    {
      scope: Type.Literal('instance'),
      since: Timestamp,
      hourly: Type.Array(Type.Object({ at: Timestamp, count: Count })),
    },
    { description: 'Token responses of the instance that answered, since it started (as tessera_tokens_issued_total).' },
  ),
  revocationFeed: Type.Object(
    {
      scope: Type.Literal('instance'),
      subscribers: Count,
      lag: Type.Object({
        windowSeconds: Count,
        samples: Count,
        p50Ms: Millis,
        p99Ms: Millis,
        maxMs: Millis,
      }),
    },
    { description: 'Open feed streams on the instance that answered, and the lag from write to hand-over over the window.' },
  ),
  webhooks: Type.Object(
    { pending: Count, oldestPendingAt: Type.Union([Timestamp, Type.Null()]) },
    { description: 'The delivery backlog of every endpoint.' },
  ),
})

/** The console's overview figures (docs/console.md). */
export function adminStatsRoutes(deps: { stats: StatsService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/stats',
      {
        config: { permission: ADMIN_READ } as const,
        schema: {
          tags: ['stats'],
          summary: 'Counts, sign-ins per hour and day, tokens issued, the revocation feed and the webhook backlog',
          response: responses({ 200: StatsBody }),
        },
      },
      async () => deps.stats.read(),
    )
  }
}
