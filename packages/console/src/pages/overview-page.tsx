import type { Api, Application, AuditEntry, Role, SigningKey } from '../api/admin-types.js'
import { useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ErrorNote, Link, Loading, When } from '../ui/widgets.js'

interface Counts {
  applications: number
  apis: number
  roles: number
  activeKey: SigningKey | null
  recent: AuditEntry[]
}

/**
 * Counts the admin API can give without scanning (its lists of applications, APIs, roles and
 * keys are whole), and the latest audit entries. The API has no user or session totals nor
 * sign-in statistics yet, so none are shown rather than estimated.
 */
export function OverviewPage() {
  const { api } = useConsole()
  const counts = useLoad<Counts>(async () => {
    const [applications, apis, roles, keys, audit] = await Promise.all([
      api.get<{ applications: Application[] }>('/applications'),
      api.get<{ apis: Api[] }>('/apis'),
      api.get<{ roles: Role[] }>('/roles'),
      api.get<{ keys: SigningKey[] }>('/keys'),
      api.get<{ entries: AuditEntry[] }>('/audit', { limit: '10' }),
    ])
    return {
      applications: applications.applications.length,
      apis: apis.apis.length,
      roles: roles.roles.length,
      activeKey: keys.keys.find((key) => key.state === 'active') ?? null,
      recent: audit.entries,
    }
  }, 'overview')
  return (
    <>
      <h1>Overview</h1>
      <Loading loading={counts.loading} />
      <ErrorNote error={counts.error} />
      {counts.data ? (
        <>
          <ul className="tiles">
            <li>
              <Link to={{ page: 'applications' }}>
                <strong>{counts.data.applications}</strong> applications
              </Link>
            </li>
            <li>
              <Link to={{ page: 'apis' }}>
                <strong>{counts.data.apis}</strong> APIs
              </Link>
            </li>
            <li>
              <Link to={{ page: 'roles' }}>
                <strong>{counts.data.roles}</strong> roles
              </Link>
            </li>
            <li>
              <Link to={{ page: 'keys' }}>
                <strong>{counts.data.activeKey ? counts.data.activeKey.alg : 'no'}</strong> active signing key
              </Link>
            </li>
          </ul>
          <h2>Latest activity</h2>
          <ul className="list">
            {counts.data.recent.map((entry) => (
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
