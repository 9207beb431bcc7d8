import type { AuditEntry, Role, SigningKey, Stats } from '../api/admin-types.js'
import { fetchAll } from '../api/fetch-all.js'
import { BarChart } from '../ui/bar-chart.js'
import { useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ErrorNote, Link, Loading, When } from '../ui/widgets.js'

interface Overview {
  stats: Stats
  roles: number
  activeKey: SigningKey | null
  recent: AuditEntry[]
}

const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
const dayLabel = (iso: string) => new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
const ms = (value: number | null) => (value === null ? '—' : value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`)

/**
 * The figures of GET /admin/v1/stats (counts, sign-ins, tokens, the feed, the webhook backlog),
 * the role count and active key from their lists, and the latest audit entries. Figures that
 * only the answering instance knows say so.
 */
export function OverviewPage() {
  const { api } = useConsole()
  const overview = useLoad<Overview>(async () => {
    const [stats, roles, keys, audit] = await Promise.all([
      api.get<Stats>('/stats'),
      fetchAll<Role, 'roles'>(api, '/roles', 'roles'),
      api.get<{ keys: SigningKey[] }>('/keys'),
      api.get<{ entries: AuditEntry[] }>('/audit', { limit: '10' }),
    ])
    return {
      stats,
      roles: roles.length,
      activeKey: keys.keys.find((key) => key.state === 'active') ?? null,
      recent: audit.entries,
    }
  }, 'overview')
  const data = overview.data
  return (
    <>
      <h1>Overview</h1>
      <Loading loading={overview.loading} />
      <ErrorNote error={overview.error} />
      {data ? (
        <>
          <ul className="tiles">
            <Tile to="users" count={data.stats.counts.users} label="users" testId="count-users" />
            <Tile to="users" count={data.stats.counts.activeSessions} label="active sessions" testId="count-sessions" />
            <Tile to="applications" count={data.stats.counts.applications} label="applications" testId="count-applications" />
            <Tile to="apis" count={data.stats.counts.apis} label="APIs" testId="count-apis" />
            <Tile to="roles" count={data.roles} label="roles" testId="count-roles" />
            <li>
              <Link to={{ page: 'keys' }}>
                <strong>{data.activeKey ? data.activeKey.alg : 'no'}</strong> active signing key
              </Link>
            </li>
          </ul>

          <h2>Sign-ins</h2>
          <div className="charts">
            <BarChart
              title="Last 24 hours"
              testId="chart-sign-ins-hourly"
              points={data.stats.signIns.hourly.map((point) => ({ at: point.at, label: hourLabel(point.at) }))}
              labelEvery={6}
              series={[
                { name: 'Succeeded', className: 'series-ok', values: data.stats.signIns.hourly.map((point) => point.succeeded) },
                { name: 'Failed', className: 'series-bad', values: data.stats.signIns.hourly.map((point) => point.failed) },
              ]}
            />
            <BarChart
              title="Last 30 days"
              testId="chart-sign-ins-daily"
              points={data.stats.signIns.daily.map((point) => ({ at: point.at, label: dayLabel(point.at) }))}
              labelEvery={7}
              series={[
                { name: 'Succeeded', className: 'series-ok', values: data.stats.signIns.daily.map((point) => point.succeeded) },
                { name: 'Failed', className: 'series-bad', values: data.stats.signIns.daily.map((point) => point.failed) },
              ]}
            />
          </div>

          <h2>Tokens issued</h2>
          <div className="charts">
            <BarChart
              title="Per hour, last 24 hours"
              testId="chart-tokens"
              points={data.stats.tokensIssued.hourly.map((point) => ({ at: point.at, label: hourLabel(point.at) }))}
              labelEvery={6}
              series={[{ name: 'Tokens', className: 'series-neutral', values: data.stats.tokensIssued.hourly.map((point) => point.count) }]}
            />
          </div>
          <p className="muted">
            Counted by the instance that answered, since it started (<When iso={data.stats.tokensIssued.since} />
            ); the Prometheus series <code>tessera_tokens_issued_total</code> sums every instance.
          </p>

          <h2>Revocation feed and webhooks</h2>
          <dl className="facts">
            <dt>Feed subscribers (this instance)</dt>
            <dd data-testid="feed-subscribers">{data.stats.revocationFeed.subscribers}</dd>
            <dt>Feed lag, last {Math.round(data.stats.revocationFeed.lag.windowSeconds / 60)} minutes</dt>
            <dd>
              {data.stats.revocationFeed.lag.samples === 0
                ? 'no revocation in the window'
                : `median ${ms(data.stats.revocationFeed.lag.p50Ms)}, p99 ${ms(data.stats.revocationFeed.lag.p99Ms)}, max ${ms(data.stats.revocationFeed.lag.maxMs)} over ${data.stats.revocationFeed.lag.samples} entries`}
            </dd>
            <dt>Webhook backlog</dt>
            <dd data-testid="webhook-backlog">
              <Link to={{ page: 'webhooks' }}>{data.stats.webhooks.pending} pending</Link>
              {data.stats.webhooks.oldestPendingAt ? (
                <>
                  , the oldest since <When iso={data.stats.webhooks.oldestPendingAt} />
                </>
              ) : null}
            </dd>
          </dl>

          <h2>Latest activity</h2>
          <ul className="list">
            {data.recent.map((entry) => (
              <li key={entry.id}>
                <When iso={entry.occurredAt} /> <code>{entry.action}</code> by {entry.actor.kind} {entry.actor.id ?? ''}
              </li>
            ))}
          </ul>
          <p>
            <Link to={{ page: 'audit' }}>The whole audit log</Link>
          </p>
        </>
      ) : null}
    </>
  )
}

function Tile(props: { to: 'users' | 'applications' | 'apis' | 'roles'; count: number; label: string; testId: string }) {
  return (
    <li>
      <Link to={{ page: props.to }}>
        <strong data-testid={props.testId}>{props.count}</strong> {props.label}
      </Link>
    </li>
  )
}
