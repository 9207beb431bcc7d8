import { useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ErrorNote, Loading } from '../ui/widgets.js'

interface SettingsView {
  version: string
  node: string
  database: 'sqlite' | 'postgres'
  redis: boolean
  settings: Record<string, unknown>
}

/** One section's settings as "path: value" rows; nested objects become dotted paths. */
export function flattenSettings(value: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(value).flatMap(([key, item]): [string, string][] => {
    const path = prefix ? `${prefix}.${key}` : key
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) return flattenSettings(item as Record<string, unknown>, path)
    return [[path, Array.isArray(item) ? item.join(', ') : item === '' ? '(not set)' : String(item)]]
  })
}

/**
 * The effective configuration, read-only (GET /admin/v1/settings): what the server runs with,
 * secrets masked by the server (a secret shows only whether it is set). Changing a setting is a
 * change of environment or file and a restart (docs/configuration.md), never a click here.
 */
export function SettingsPage() {
  const { api } = useConsole()
  const view = useLoad(() => api.get<SettingsView>('/settings'), 'settings')
  const rows = view.data ? flattenSettings(view.data.settings) : []
  const top = rows.filter(([path]) => !path.includes('.'))
  const sections = [...new Set(rows.filter(([path]) => path.includes('.')).map(([path]) => path.split('.')[0] as string))]
  return (
    <>
      <h1>Settings</h1>
      <p className="muted">
        Read-only: the configuration this server runs with. Change it in the environment or configuration file and restart (see
        docs/configuration.md). Secrets show only whether they are set.
      </p>
      <Loading loading={view.loading} />
      <ErrorNote error={view.error} />
      {view.data ? (
        <>
          <dl className="facts">
            <dt>Tessera</dt>
            <dd data-testid="settings-version">{view.data.version}</dd>
            <dt>Node.js</dt>
            <dd>{view.data.node}</dd>
            <dt>Database</dt>
            <dd>{view.data.database === 'postgres' ? 'PostgreSQL' : 'SQLite'}</dd>
            <dt>Redis</dt>
            <dd>{view.data.redis ? 'configured' : 'not configured'}</dd>
          </dl>
          <SettingsTable title="General" rows={top} />
          {sections.map((section) => (
            <SettingsTable key={section} title={section} rows={rows.filter(([path]) => path.startsWith(`${section}.`))} />
          ))}
        </>
      ) : null}
    </>
  )
}

function SettingsTable(props: { title: string; rows: [string, string][] }) {
  return (
    <section aria-label={props.title}>
      <h2>{props.title}</h2>
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Settings: {props.title}</caption>
          <thead>
            <tr>
              <th scope="col">Setting</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map(([path, value]) => (
              <tr key={path}>
                <th scope="row">
                  <code>{path}</code>
                </th>
                <td>
                  <code>{value}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
