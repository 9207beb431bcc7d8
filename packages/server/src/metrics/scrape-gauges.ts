import { gauge, type MetricFamily } from './metric-families.js'

/** A pg pool as far as metrics read it (structural, so nothing here depends on the driver). */
export interface PoolLike {
  readonly totalCount: number
  readonly idleCount: number
  readonly waitingCount: number
  on(event: 'error', listener: (error: Error) => void): unknown
  on(event: 'connect', listener: (client: { on(event: 'error', listener: (error: Error) => void): unknown }) => void): unknown
}

/** Live state read at scrape time. */
export interface MetricSources {
  /** Open revocation-feed streams on this instance. */
  feedSubscribers(): number
  /** Pending webhook deliveries; a store query, so it may fail (counted, the last values stay). */
  webhookBacklog(): Promise<{ pending: number; oldestCreatedAt: number | null }>
  /** Pending and given-up email deliveries; absent where email is off. A store query, like webhookBacklog. */
  emailBacklog?: (() => Promise<{ pending: number; oldestCreatedAt: number | null; failed: number }>) | undefined
  /** The PostgreSQL pool; absent on SQLite, which has no pool. */
  pool?: PoolLike | undefined
  /** The pool's size limit, reported beside its use. */
  poolMax?: number | undefined
  now(): number
}

/**
 * The gauges a scrape reads from live state (the feed's streams, the delivery queues, the pool),
 * beside the counters the instance keeps (metrics/prometheus-metrics.ts).
 */
export function feedSubscribersGauge(sources: Pick<MetricSources, 'feedSubscribers'>): MetricFamily {
  return gauge({
    name: 'tessera_revocation_feed_subscribers',
    help: 'Open revocation-feed streams on this instance.',
    collect() {
      this.set(sources.feedSubscribers())
    },
  })
}

/**
 * One query serves each family of gauges per scrape: prom-client reads every metric at once, so
 * each gauge awaits the same query (a gauge without its own collect would show the last scrape's
 * value). A failed query is `failed()` (counted) and leaves the gauges at their last values.
 */
export function perScrape<T>(load: () => Promise<T>, failed: () => void): () => Promise<T | null> {
  let inflight: Promise<T | null> | null = null
  return () =>
    (inflight ??= load()
      .catch(() => {
        failed()
        return null
      })
      .finally(() => {
        inflight = null
      }))
}

/** The pending count and the oldest pending age of one delivery queue, from one query per scrape. */
export function backlogGauges(
  queue: 'webhook' | 'email',
  state: () => Promise<{ pending: number; oldestCreatedAt: number | null } | null>,
  now: () => number,
): MetricFamily[] {
  const ageOf = (oldest: number | null) => (oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000))
  return [
    gauge({
      name: `tessera_${queue}_backlog`,
      help: `${queue === 'webhook' ? 'Webhook' : 'Email'} deliveries pending (due or waiting for a retry).`,
      async collect() {
        const current = await state()
        if (current) this.set(current.pending)
      },
    }),
    gauge({
      name: `tessera_${queue}_oldest_pending_age_seconds`,
      help: `Age of the oldest pending ${queue} delivery; 0 when none is pending.`,
      async collect() {
        const current = await state()
        if (current) this.set(ageOf(current.oldestCreatedAt))
      },
    }),
  ]
}

/** Email deliveries given up on, from the email queue's query of the scrape. */
export function emailFailedGauge(state: () => Promise<{ failed: number } | null>): MetricFamily {
  return gauge({
    name: 'tessera_email_failed_deliveries',
    help: 'Email deliveries given up on, kept for housekeeping.deliveryRetention: a rise means mail is being lost.',
    async collect() {
      const current = await state()
      if (current) this.set(current.failed)
    },
  })
}

/**
 * The PostgreSQL pool's connections by state, its waiting queries and its size limit; its failures
 * go to `connectionFailed` (listeners only count: handling the failure is the store's business).
 */
export function poolGauges(pool: PoolLike, poolMax: number | undefined, connectionFailed: () => void): MetricFamily[] {
  const families: MetricFamily[] = [
    gauge({
      name: 'tessera_database_pool_connections',
      help: 'PostgreSQL pool connections by state (busy: checked out by a query or transaction).',
      labelNames: ['state'] as const,
      collect() {
        this.set({ state: 'idle' }, pool.idleCount)
        this.set({ state: 'busy' }, pool.totalCount - pool.idleCount)
      },
    }),
    gauge({
      name: 'tessera_database_pool_waiting',
      help: 'Queries waiting for a free PostgreSQL connection.',
      collect() {
        this.set(pool.waitingCount)
      },
    }),
  ]
  if (poolMax !== undefined) {
    const max = gauge({ name: 'tessera_database_pool_max', help: 'Size limit of the PostgreSQL pool.' })
    max.set(poolMax)
    families.push(max)
  }
  pool.on('error', connectionFailed)
  pool.on('connect', (client) => client.on('error', connectionFailed))
  return families
}
