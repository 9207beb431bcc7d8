import type { Registry } from 'prom-client'
import { loadOnce } from '../shared/load-once.js'
import type { GrantName, Metrics, RevocationKind, SignInOutcome } from '../shared/metrics.js'
import { counter, gauge, histogram, type MetricFamily } from './metric-families.js'
import { backlogGauges, emailFailedGauge, feedSubscribersGauge, type MetricSources, perScrape, poolGauges } from './scrape-gauges.js'

export type { MetricSources, PoolLike } from './scrape-gauges.js'

export type DatabaseErrorSource = 'pool' | 'request' | 'collect'

/** The metrics of one Tessera instance: the domain recorder, the HTTP observations, and the scrape. */
export interface PrometheusMetrics {
  /** What domain services receive (shared/metrics.ts). */
  recorder: Metrics
  /** One finished HTTP request: its route pattern (never the raw URL), method and status. */
  observeRequest(method: string, route: string, status: number, seconds: number): void
  /** An error answered to a client, by its stable code (a closed set: shared/errors.ts). */
  httpError(code: string): void
  databaseError(source: DatabaseErrorSource): void
  /** One email dispatcher tick attempted deliveries: `sent` went out, `failed` did not (retried while the schedule allows). */
  emailAttempts(sent: number, failed: number): void
  /** Housekeeping deleted rows of this table (a fixed set: housekeeping/retention-rules.ts). */
  housekeepingPurged(table: string, rows: number): void
  /** One housekeeping run ended: it purged all it could, ran out of its time budget, or a rule failed. */
  housekeepingRun(outcome: 'complete' | 'partial' | 'failed'): void
  /** A user code entered on the device verification page (RFC 8628 §5.1): right, wrong, or refused by the entry limits. */
  deviceCodeEntry(outcome: 'accepted' | 'wrong' | 'limited'): void
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const SIGN_IN_OUTCOMES: readonly SignInOutcome[] = ['succeeded', 'failed', 'locked_out', 'throttled', 'disabled']
const GRANTS: readonly GrantName[] = ['authorization_code', 'refresh_token', 'client_credentials', 'token_exchange', 'device_code']
const REVOCATION_KINDS: readonly RevocationKind[] = ['session', 'user_token_version', 'access_token', 'key', 'client', 'api']
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
const METHOD_INDEX = new Map(METHODS.map((method, i) => [method, i]))

/** prom-client (and the @opentelemetry/api it loads): ~80 modules, ~1.8 MB of heap, loaded by the first scrape. */
const promClient = loadOnce(() => import('prom-client'))

/**
 * The instance's own metrics count in plain maps from its start (metric-families.ts); prom-client
 * is loaded by the first scrape (docs/architecture.md §9, "Memory"), which registers them in a
 * registry of this instance, never prom-client's global one: tests run many instances in one
 * process, and two registries never share a series. Node's default metrics (CPU, memory, GC,
 * event-loop delay) go to a second registry created at the first scrape: prom-client starts an
 * event-loop monitor and a GC observer for them that live as long as the process, so an instance
 * that is never scraped (most test servers) never starts them. A prom-client that fails to load
 * fails that scrape (its route answers an error), never the counting.
 */
export function createPrometheusMetrics(
  sources: MetricSources,
  loadPromClient: () => Promise<typeof import('prom-client')> = promClient,
): PrometheusMetrics {
  const families: MetricFamily[] = []
  const registers = <F extends MetricFamily>(family: F): F => {
    families.push(family)
    return family
  }
  let registries: Promise<{ own: Registry; process: Registry }> | undefined

  const requests = registers(
    histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status, and how long they took.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: LATENCY_BUCKETS,
    }),
  )
  const requestSeries = new Map<string, Map<number, (seconds: number) => void>>()
  const httpErrors = registers(
    counter({
      name: 'tessera_http_errors_total',
      help: 'Error responses by stable error code (docs/http-api.md).',
      labelNames: ['code'] as const,
    }),
  )
  const signIns = registers(
    counter({
      name: 'tessera_sign_ins_total',
      help: 'Password sign-in attempts by outcome (locked_out: a failure that started a back-off).',
      labelNames: ['outcome'] as const,
    }),
  )
  const tokens = registers(
    counter({
      name: 'tessera_tokens_issued_total',
      help: 'Successful token responses by grant type.',
      labelNames: ['grant'] as const,
    }),
  )
  const reuse = registers(
    counter({
      name: 'tessera_token_reuse_detected_total',
      help: 'Spent refresh tokens or authorization codes presented again; what they issued was revoked.',
      labelNames: ['credential'] as const,
    }),
  )
  const revocations = registers(
    counter({
      name: 'tessera_revocations_written_total',
      help: 'Revocation-log entries committed by this instance, by kind.',
      labelNames: ['kind'] as const,
    }),
  )
  const feedLag = registers(
    histogram({
      name: 'tessera_revocation_feed_lag_seconds',
      help: "Time from a revocation's write to this instance handing it to its feed subscribers (any instance's writes).",
      buckets: LATENCY_BUCKETS,
    }),
  )
  registers(feedSubscribersGauge(sources))
  const webhookAttempts = registers(
    counter({
      name: 'tessera_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome (retrying: failed, another attempt is scheduled).',
      labelNames: ['outcome'] as const,
    }),
  )
  const databaseErrors = registers(
    counter({
      name: 'tessera_database_errors_total',
      help: 'Database failures: pool (a connection failed), request (a request got store_unavailable), collect (a metrics query failed).',
      labelNames: ['source'] as const,
    }),
  )
  const purgedRows = registers(
    counter({
      name: 'tessera_housekeeping_purged_rows_total',
      help: 'Rows deleted by background housekeeping, by table.',
      labelNames: ['table'] as const,
    }),
  )
  const housekeepingRuns = registers(
    counter({
      name: 'tessera_housekeeping_runs_total',
      help: 'Housekeeping runs by outcome (partial: the time budget ran out and the next run goes on; failed: a rule failed).',
      labelNames: ['outcome'] as const,
    }),
  )
  const deviceCodeEntries = registers(
    counter({
      name: 'tessera_device_code_entries_total',
      help: 'User codes entered on the device verification page: accepted, wrong (unknown, expired or decided), or limited (over the per-session or per-IP budget).',
      labelNames: ['outcome'] as const,
    }),
  )
  const housekeepingLastRun = registers(
    gauge({
      name: 'tessera_housekeeping_last_run_timestamp_seconds',
      help: 'When housekeeping last finished a run on this instance (Unix time); 0 before the first.',
    }),
  )
  const collectFailed = () => databaseErrors.inc({ source: 'collect' })
  const now = () => sources.now()
  const webhookState = perScrape(() => sources.webhookBacklog(), collectFailed)
  for (const family of backlogGauges('webhook', webhookState, now)) registers(family)
  const emailAttempts = registers(
    counter({
      name: 'tessera_email_attempts_total',
      help: 'Email delivery attempts by outcome (failed: retried while the schedule allows, then given up).',
      labelNames: ['outcome'] as const,
    }),
  )
  if (sources.emailBacklog) {
    const emailState = perScrape(sources.emailBacklog, collectFailed)
    for (const family of backlogGauges('email', emailState, now)) registers(family)
    registers(emailFailedGauge(emailState))
  }
  if (sources.pool) {
    const poolFailed = () => databaseErrors.inc({ source: 'pool' })
    for (const family of poolGauges(sources.pool, sources.poolMax, poolFailed)) registers(family)
  }
  // Every known series exists from the start at 0, so rate() and absent-series alerts work at once.
  for (const source of ['pool', 'request', 'collect'] as const) databaseErrors.inc({ source }, 0)
  for (const outcome of SIGN_IN_OUTCOMES) signIns.inc({ outcome }, 0)
  // One incrementer per grant, found once: a token response counts without a labels object or a
  // series look-up (issue 17; the lookup was 1.5 % of a rotation's self time).
  const tokenCounts = new Map(GRANTS.map((grant) => [grant, tokens.incrementer({ grant })]))
  for (const credential of ['refresh_token', 'authorization_code', 'device_code'] as const) reuse.inc({ credential }, 0)
  for (const kind of REVOCATION_KINDS) revocations.inc({ kind }, 0)
  for (const outcome of ['succeeded', 'retrying', 'failed'] as const) webhookAttempts.inc({ outcome }, 0)
  for (const outcome of ['complete', 'partial', 'failed'] as const) housekeepingRuns.inc({ outcome }, 0)
  for (const outcome of ['sent', 'failed'] as const) emailAttempts.inc({ outcome }, 0)
  for (const outcome of ['accepted', 'wrong', 'limited'] as const) deviceCodeEntries.inc({ outcome }, 0)

  const recorder: Metrics = {
    signIn: (outcome) => signIns.inc({ outcome }),
    tokenIssued(grant) {
      const count = tokenCounts.get(grant)
      if (count) count()
      else tokens.inc({ grant })
    },
    reuseDetected: (credential) => reuse.inc({ credential }),
    revocationsWritten(kinds) {
      for (const kind of kinds) revocations.inc({ kind })
    },
    revocationBroadcast: (lagMs) => feedLag.observe(Math.max(0, lagMs) / 1000),
    webhookAttempt: (outcome) => webhookAttempts.inc({ outcome }),
  }

  return {
    recorder,
    observeRequest(method, route, status, seconds) {
      // The series of a route, method and status is looked up by the route, then by one number,
      // and kept: no labels object, no key string per request (issue 17). As bounded as the series
      // themselves: route patterns, eight methods (any other is OTHER), the statuses answered.
      let byStatus = requestSeries.get(route)
      if (byStatus === undefined) {
        byStatus = new Map()
        requestSeries.set(route, byStatus)
      }
      const index = METHOD_INDEX.get(method) ?? METHODS.length
      const key = status * 8 + index
      let observe = byStatus.get(key)
      if (observe === undefined) {
        observe = requests.observer({ method: METHODS[index] ?? 'OTHER', route, status: String(status) })
        byStatus.set(key, observe)
      }
      observe(seconds)
    },
    httpError(code) {
      httpErrors.inc({ code })
      if (code === 'store_unavailable') databaseErrors.inc({ source: 'request' })
    },
    databaseError(source) {
      databaseErrors.inc({ source })
    },
    emailAttempts(sent, failed) {
      if (sent > 0) emailAttempts.inc({ outcome: 'sent' }, sent)
      if (failed > 0) emailAttempts.inc({ outcome: 'failed' }, failed)
    },
    housekeepingPurged: (table, rows) => purgedRows.inc({ table }, rows),
    deviceCodeEntry: (outcome) => deviceCodeEntries.inc({ outcome }),
    housekeepingRun(outcome) {
      housekeepingRuns.inc({ outcome })
      housekeepingLastRun.set(sources.now() / 1000)
    },
    async render() {
      registries ??= loadPromClient().then(({ Registry, collectDefaultMetrics }) => {
        const own = new Registry()
        // The families have the shape prom-client's registry reads from its own metrics (`get()`).
        for (const family of families) own.registerMetric(family as unknown as Parameters<Registry['registerMetric']>[0])
        const process = new Registry()
        collectDefaultMetrics({ register: process })
        return { own, process }
      })
      const { own, process } = await registries
      const [ownText, processText] = await Promise.all([own.metrics(), process.metrics()])
      return { contentType: own.contentType, body: `${ownText}\n${processText}` }
    },
  }
}
