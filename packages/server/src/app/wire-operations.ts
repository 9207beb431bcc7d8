import { createAuditProjector } from '../audit/audit-projector.js'
import { createAuditService } from '../audit/audit-service.js'
import { throttleRetentionMs } from '../auth/sign-in-throttle.js'
import { createHousekeeping } from '../housekeeping/housekeeping.js'
import { retentionRules } from '../housekeeping/retention-rules.js'
import type { PrometheusMetrics } from '../metrics/prometheus-metrics.js'
import type { RevocationHub } from '../revocation/revocation-hub.js'
import type { InstanceActivity } from '../stats/instance-activity.js'
import { createStatsService } from '../stats/stats-service.js'
import { createStatsStore } from '../stats/stats-store.js'
import type { OpenDatabase } from '../store/open-database.js'
import type { Wiring } from './wiring.js'

export interface OperationsWiringDeps {
  database: OpenDatabase
  metrics: PrometheusMetrics
  activity: InstanceActivity
  hub: RevocationHub
  /** Whether this instance sends email (its outbox rows are then kept until sent). */
  emailConsumerRuns: boolean
  backgroundFailure: (what: string) => (error: unknown) => void
}

/** What operators read and what keeps the database small: the audit log, the console's counts, housekeeping. */
export function wireOperations(wiring: Wiring, deps: OperationsWiringDeps) {
  const { config, clock, stores, policies } = wiring
  const { database, metrics, hub } = deps
  const audit = createAuditService({ stores, projector: createAuditProjector({ stores, clock }) })
  const stats = createStatsService({
    store: createStatsStore(database.db),
    clock,
    idleTimeoutMs: policies.session.idleTimeoutMs,
    activity: deps.activity,
    catchUpAudit: () => audit.catchUp(),
    feedSubscribers: () => hub.subscribers,
    webhookBacklog: () => stores.webhookDeliveries.backlog(),
  })

  // Expired and old rows go in small batches in the background (housekeeping/, docs/operations.md).
  const housekeeping = createHousekeeping({
    rules: retentionRules(database.db, database.dialect, {
      maxAccessTokenTtlMs: config.tokens.maxAccessTokenTtl * 1000,
      sessionIdleTimeoutMs: policies.session.idleTimeoutMs,
      sessionAbsoluteLifetimeMs: policies.session.absoluteLifetimeMs,
      refreshAbsoluteTtlMs: policies.refresh.absoluteTtlMs,
      deliveryRetentionMs: config.housekeeping.deliveryRetention * 1000,
      auditRetentionMs: config.housekeeping.auditRetention * 1000,
      outboxRetentionMs: config.housekeeping.outboxRetention * 1000,
      accountRequestWindowMs: policies.accountLimits.windowMs,
      emailConsumerRuns: deps.emailConsumerRuns,
      signInThrottleRetentionMs: throttleRetentionMs(policies.throttle),
    }),
    clock,
    batchSize: config.housekeeping.batchSize,
    budgetMs: config.housekeeping.timeBudget * 1000,
    onPurged: metrics.housekeepingPurged,
    onRun: (report) => metrics.housekeepingRun(report.failed.length > 0 ? 'failed' : report.complete ? 'complete' : 'partial'),
    onError: (table, error) => deps.backgroundFailure(`housekeeping of ${table}`)(error),
  })
  return { audit, stats, housekeeping }
}
