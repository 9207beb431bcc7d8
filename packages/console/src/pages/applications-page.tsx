import { type FormEvent, useState } from 'react'
import type { Application, ApplicationType } from '../api/admin-types.js'
import { asError } from '../ui/as-error.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { usePaged } from '../ui/use-paged.js'
import { ErrorNote, Link, Loading, MoreButton, SecretOnce, When } from '../ui/widgets.js'

/** The built-in console client (migration 0008-console-client): shown, never edited. */
export const CONSOLE_CLIENT_ID = 'tessera-admin-console'

const TYPES: { type: ApplicationType; label: string; hint: string }[] = [
  { type: 'web', label: 'Web app', hint: 'A server-side app that keeps a secret; signs users in with a redirect.' },
  { type: 'spa', label: 'Single-page app', hint: 'Runs in the browser, keeps no secret; authorization code with PKCE.' },
  { type: 'native', label: 'Native app', hint: 'A mobile or desktop app; loopback or private-scheme redirect URIs.' },
  { type: 'm2m', label: 'Machine to machine', hint: 'A service with a secret and no user: client credentials.' },
  { type: 'resource-server', label: 'Resource server', hint: 'An API that introspects tokens or reads the revocation feed.' },
]

export function typeLabel(type: ApplicationType): string {
  return TYPES.find((each) => each.type === type)?.label ?? type
}

/** One URI per line (or separated by spaces), blanks dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/\s+/)
    .map((line) => line.trim())
    .filter(Boolean)
}

export function ApplicationsPage() {
  const canWrite = useCanWrite()
  const list = usePaged<Application, 'applications'>('/applications', 'applications')
  const [created, setCreated] = useState<{ application: Application; clientSecret?: string } | null>(null)
  const [creating, setCreating] = useState(false)

  return (
    <>
      <h1>Applications</h1>
      {canWrite && !creating ? (
        <button type="button" onClick={() => setCreating(true)}>
          New application
        </button>
      ) : null}
      {creating ? (
        <CreateApplication
          onCancel={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false)
            setCreated(result)
            list.reload()
          }}
        />
      ) : null}
      {created ? (
        <div className="notice" role="status">
          <p>
            Created <Link to={{ page: 'application', id: created.application.clientId }}>{created.application.name}</Link>, client_id{' '}
            <code data-testid="created-client-id">{created.application.clientId}</code>.
          </p>
          {created.clientSecret ? <SecretOnce label="Client secret" value={created.clientSecret} /> : null}
        </div>
      ) : null}
      <Loading loading={list.loading} />
      <ErrorNote error={list.error} />
      <DataTable
        caption="Applications"
        rows={list.items}
        rowKey={(app) => app.clientId}
        empty="No applications."
        columns={[
          {
            header: 'Name',
            cell: (app) => (
              <>
                <Link to={{ page: 'application', id: app.clientId }}>{app.name}</Link>
                {app.clientId === CONSOLE_CLIENT_ID ? <span className="badge">built in</span> : null}
              </>
            ),
          },
          { header: 'Type', cell: (app) => typeLabel(app.type) },
          { header: 'APIs', cell: (app) => app.apis.join(', ') || <span className="muted">—</span> },
          { header: 'Created', cell: (app) => <When iso={app.createdAt} /> },
        ]}
      />
      <MoreButton paged={list} />
    </>
  )
}

function CreateApplication(props: {
  onCancel: () => void
  onCreated: (result: { application: Application; clientSecret?: string }) => void
}) {
  const { api } = useConsole()
  const [type, setType] = useState<ApplicationType>('web')
  const [name, setName] = useState('')
  const [redirectUris, setRedirectUris] = useState('')
  const [apis, setApis] = useState('')
  const [scopes, setScopes] = useState('')
  const [error, setError] = useState<Error | null>(null)
  const [busy, setBusy] = useState(false)
  const redirects = type === 'web' || type === 'spa' || type === 'native'

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const body = {
        name,
        type,
        ...(redirects ? { redirectUris: splitList(redirectUris) } : {}),
        ...(splitList(apis).length > 0 ? { apis: splitList(apis) } : {}),
        ...(splitList(scopes).length > 0 ? { scopes: splitList(scopes) } : {}),
      }
      props.onCreated(await api.post<{ application: Application; clientSecret?: string }>('/applications', body))
    } catch (caught) {
      setError(asError(caught))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-app-heading">
      <h2 id="new-app-heading">New application</h2>
      <fieldset>
        <legend>Type</legend>
        {TYPES.map((each) => (
          <label key={each.type} className="choice">
            <input type="radio" name="type" value={each.type} checked={type === each.type} onChange={() => setType(each.type)} />
            <span>
              <strong>{each.label}</strong> <span className="muted">{each.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <label htmlFor="app-name">Name</label>
      <input id="app-name" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
      {redirects ? (
        <>
          <label htmlFor="app-redirects">Redirect URIs (one per line, matched exactly)</label>
          <textarea id="app-redirects" rows={3} value={redirectUris} onChange={(event) => setRedirectUris(event.target.value)} />
        </>
      ) : null}
      <label htmlFor="app-apis">APIs (identifiers, one per line)</label>
      <textarea id="app-apis" rows={2} value={apis} onChange={(event) => setApis(event.target.value)} />
      <label htmlFor="app-scopes">Scopes it may ask for (space-separated)</label>
      <input id="app-scopes" value={scopes} onChange={(event) => setScopes(event.target.value)} />
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Create
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
