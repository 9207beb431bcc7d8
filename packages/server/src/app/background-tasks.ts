import type { Logger } from 'pino'
import type { AuditService } from '../audit/audit-service.js'
import type { Config } from '../config/config-schema.js'
import type { KeyService } from '../keys/key-service.js'
import type { RevocationHub } from '../revocation/revocation-hub.js'
import { startRevocationSignals } from '../revocation/revocation-signals.js'
import type { OpenDatabase } from '../store/open-database.js'
import type { RedisConnection } from '../store/redis-connection.js'
import { DISPATCH_INTERVAL_MS, type DispatchLoop, startDispatchLoop } from '../webhooks/webhook-dispatch-loop.js'
import type { ConfigCache } from './config-cache.js'
import type { CommitListeners } from './wire-storage.js'

/** How often each instance applies the key-rotation schedule. */
const KEY_MAINTENANCE_INTERVAL_MS = 60_000

/** How often each instance copies new outbox events into the audit log (reads catch up themselves). */
const AUDIT_PROJECTION_INTERVAL_MS = 2_000

/** A round of a background loop: what it did, or a rejection the loop reports and survives. */
type Tick = () => Promise<unknown>

export interface BackgroundTaskDeps {
  config: Config
  logger: Logger
  database: OpenDatabase
  keys: KeyService
  hub: RevocationHub
  cache: ConfigCache
  audit: AuditService
  /** Where the started revocation signals are handed to the commit hooks (wire-storage.ts). */
  listeners: CommitListeners
  /** Connected here, once the signals have shown Redis answers (wire-rate-limits.ts). */
  rateLimitRedis: RedisConnection | undefined
  webhookTick: Tick
  backchannelTick: Tick
  housekeepingTick: Tick
  /** Null when this instance sends no email. */
  emailTick: Tick | null
  backgroundFailure: (what: string) => (error: unknown) => void
}

export interface BackgroundTasks {
  /** Clears the timers, lets a running audit projection finish and stops the dispatch loops. */
  stop(): Promise<void>
}

/**
 * What a serving instance does besides answering requests (the CLI's one-shot commands start none
 * of it): the revocation signals that keep every instance's cache and feeds current, the key
 * schedule, the audit projection, and the webhook, back-channel, housekeeping and email loops.
 */
export async function startBackgroundTasks(deps: BackgroundTaskDeps): Promise<BackgroundTasks> {
  const { config, keys, hub, cache, audit, backgroundFailure } = deps
  await keys.maintain()
  await hub.currentSeq()
  // First, since it may fail (Redis unreachable): nothing else is started yet when it throws.
  deps.listeners.signals = await startRevocationSignals({
    wake: () => {
      cache.invalidate()
      hub.signal().catch(backgroundFailure('revocation hub'))
    },
    logger: deps.logger,
    pollIntervalMs: config.feed.pollInterval,
    ...(deps.database.connectionString ? { postgresUrl: deps.database.connectionString } : {}),
    ...(config.redisUrl ? { redisUrl: config.redisUrl, redisOptional: config.redisOptional } : {}),
  })
  // Redis answered the signals just now; should it fail here, limits are counted in the database.
  deps.rateLimitRedis?.connect().catch(() => undefined)
  // From here every change, here or on another instance, reaches the cache within the feed's lag.
  cache.enable()
  const maintenance = setInterval(() => {
    keys.maintain().catch(backgroundFailure('key maintenance'))
  }, KEY_MAINTENANCE_INTERVAL_MS)
  maintenance.unref()
  let projecting: Promise<unknown> | null = null
  const auditProjection = setInterval(() => {
    if (projecting) return
    projecting = audit
      .catchUp()
      .catch(backgroundFailure('audit projection'))
      .finally(() => {
        projecting = null
      })
  }, AUDIT_PROJECTION_INTERVAL_MS)
  auditProjection.unref()
  const webhookLoop = startDispatchLoop({
    tick: deps.webhookTick,
    intervalMs: DISPATCH_INTERVAL_MS,
    onError: backgroundFailure('webhook dispatch'),
  })
  const backchannelLoop = startDispatchLoop({
    tick: deps.backchannelTick,
    intervalMs: DISPATCH_INTERVAL_MS,
    onError: backgroundFailure('back-channel logout dispatch'),
  })
  let housekeepingLoop: DispatchLoop | undefined
  if (config.housekeeping.interval > 0) {
    housekeepingLoop = startDispatchLoop({
      tick: deps.housekeepingTick,
      intervalMs: config.housekeeping.interval * 1000,
      onError: backgroundFailure('housekeeping'),
    })
  }
  let emailLoop: DispatchLoop | undefined
  if (deps.emailTick) {
    emailLoop = startDispatchLoop({
      tick: deps.emailTick,
      intervalMs: DISPATCH_INTERVAL_MS,
      onError: backgroundFailure('email dispatch'),
    })
  }
  return {
    async stop() {
      clearInterval(maintenance)
      clearInterval(auditProjection)
      await projecting
      await webhookLoop.stop()
      await emailLoop?.stop()
      await backchannelLoop.stop()
      await housekeepingLoop?.stop()
    },
  }
}
