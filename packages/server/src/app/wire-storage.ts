import { sql } from 'kysely'
import { emailBacklog } from '../email/email-backlog.js'
import { createPrometheusMetrics } from '../metrics/prometheus-metrics.js'
import { createRevocationHub } from '../revocation/revocation-hub.js'
import { POSTGRES_CHANNEL, type RevocationSignals } from '../revocation/revocation-signals.js'
import { withSessionReadBatches } from '../sessions/session-read-batch.js'
import { withSessionReadCache } from '../sessions/session-read-cache.js'
import { createSessionBatchRead } from '../sessions/session-store.js'
import type { Clock } from '../shared/clock.js'
import { createInstanceActivity, observeActivity } from '../stats/instance-activity.js'
import type { OpenDatabase } from '../store/open-database.js'
import { createAccessTokenBatchReads } from '../tokens/access-token-binding.js'
import { withAccessTokenReadBatches } from '../tokens/access-token-read-batch.js'
import { withAccessTokenReadCache } from '../tokens/access-token-read-cache.js'
import type { ConfigCache } from './config-cache.js'
import { createStores, createTransact } from './stores.js'

/**
 * What the commit hooks reach but is built after them: the config cache (wire-catalogue.ts) and
 * the revocation signals (started with the background tasks). Each is set once it exists.
 */
export interface CommitListeners {
  configCache?: ConfigCache
  signals?: RevocationSignals
}

export interface StorageDeps {
  database: OpenDatabase
  clock: Clock
  /** The error handler of a background task (expected-failures.ts). */
  backgroundFailure: (what: string) => (error: unknown) => void
}

/**
 * The stores, this instance's metrics, the revocation hub, and the transaction whose commits
 * wake them, here and on every other instance (docs/architecture.md §8).
 */
export function wireStorage({ database, clock, backgroundFailure }: StorageDeps) {
  const stores = createStores(database.db, database.dialect, database.readNow ? { readNow: database.readNow } : {})
  // SQLite: the session check reads from memory while the database has not changed (docs/sessions.md
  // "The session read cache"); reads inside transactions go to the store (stores.ts bindStores).
  // Introspection's read of a recorded token and its binding, the same way (docs/tokens.md "What introspection caches").
  if (database.changes) {
    stores.sessions = withSessionReadCache(stores.sessions, { watch: database.changes })
    stores.accessTokens = withAccessTokenReadCache(stores.accessTokens, { watch: database.changes })
  }
  // PostgreSQL: the session checks of one turn of the event loop are read by one query, sent after
  // all of them arrived (docs/sessions.md "The session check on PostgreSQL"). Introspection's read
  // of a recorded token and its binding, the same way (docs/tokens.md "What introspection caches").
  if (database.dialect === 'postgres') {
    stores.sessions = withSessionReadBatches(stores.sessions, createSessionBatchRead(database.db, stores.sessions))
    stores.accessTokens = withAccessTokenReadBatches(stores.accessTokens, createAccessTokenBatchReads(database.db, stores.accessTokens))
  }
  const prometheus = createPrometheusMetrics({
    feedSubscribers: () => hub.subscribers,
    webhookBacklog: () => stores.webhookDeliveries.backlog(),
    emailBacklog: () => emailBacklog(database.db),
    pool: database.pool,
    poolMax: database.pool?.options.max,
    now: () => clock.now(),
  })
  // The console's overview reads this instance's tokens per hour and feed lag from the same calls.
  const activity = createInstanceActivity(clock)
  const metrics = { ...prometheus, recorder: observeActivity(prometheus.recorder, activity) }
  const recorder = metrics.recorder
  const hub = createRevocationHub({ log: stores.revocations, clock, metrics: recorder })
  const listeners: CommitListeners = {}
  const transact = createTransact(database.db, database.dialect, {
    // This instance's streams learn at once; other instances through NOTIFY, Redis or their poll.
    afterRevocationCommit: (kinds) => {
      recorder.revocationsWritten(kinds)
      listeners.configCache?.invalidate()
      hub.signal().catch(backgroundFailure('revocation hub'))
      listeners.signals?.announce()
    },
    // An application, API or role changed: this instance drops its cache at once, and every other
    // instance is woken through the revocation signals, whose wake drops theirs (docs/architecture.md §8).
    afterConfigCommit: () => {
      listeners.configCache?.invalidate()
      if (!listeners.signals) return
      listeners.signals.announce()
      if (database.dialect === 'postgres')
        sql`select pg_notify(${POSTGRES_CHANNEL}, '')`.execute(database.db).catch(backgroundFailure('change notification'))
    },
    onHookError: backgroundFailure('after-commit hook'),
  })
  return { stores, metrics, recorder, activity, hub, transact, listeners }
}

export type StorageWiring = ReturnType<typeof wireStorage>
