import { useState } from 'react'
import type { Application } from '../api/admin-types.js'
import { asError } from '../ui/as-error.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ConfirmButton, ErrorNote, Link, Loading, SecretOnce, When } from '../ui/widgets.js'
import { ApplicationAdvanced } from './application-advanced.js'
import { splitList, typeLabel } from './application-types.js'
import { CONSOLE_CLIENT_ID } from './applications-page.js'

const CONFIDENTIAL = ['web', 'm2m', 'resource-server']

/** One application: its settings, redirect URIs, secret rotation and deletion. */
export function ApplicationPage(props: { id: string }) {
  const { api, navigate } = useConsole()
  const canWrite = useCanWrite()
  const path = `/applications/${encodeURIComponent(props.id)}`
  const app = useLoad(() => api.get<{ application: Application }>(path).then((body) => body.application), path)
  const [secret, setSecret] = useState<string | null>(null)
  const builtIn = props.id === CONSOLE_CLIENT_ID
  const editable = canWrite && !builtIn

  return (
    <>
      <p>
        <Link to={{ page: 'applications' }}>← Applications</Link>
      </p>
      <Loading loading={app.loading} />
      <ErrorNote error={app.error} />
      {app.data ? (
        <>
          <h1>
            {app.data.name} {builtIn ? <span className="badge">built in</span> : null}
          </h1>
          {builtIn ? <p className="muted">This console's own client. It cannot be changed or deleted.</p> : null}
          <dl className="facts">
            <dt>client_id</dt>
            <dd>
              <code>{app.data.clientId}</code>
            </dd>
            <dt>Type</dt>
            <dd>{typeLabel(app.data.type)}</dd>
            <dt>Grants</dt>
            <dd>{app.data.grants.join(', ') || '—'}</dd>
            <dt>APIs</dt>
            <dd>{app.data.apis.join(', ') || '—'}</dd>
            <dt>Scopes</dt>
            <dd>{app.data.scopes.join(' ') || '—'}</dd>
            <dt>Created</dt>
            <dd>
              <When iso={app.data.createdAt} />
            </dd>
          </dl>
          {['web', 'spa', 'native'].includes(app.data.type) ? (
            <RedirectUris app={app.data} path={path} editable={editable} onSaved={app.reload} />
          ) : null}
          {builtIn ? null : <ApplicationAdvanced app={app.data} path={path} editable={editable} onSaved={app.reload} />}
          {editable ? (
            <div className="actions">
              {CONFIDENTIAL.includes(app.data.type) ? (
                <ConfirmButton
                  label="Rotate secret"
                  consequence="The current secret stops working at once."
                  onConfirm={async () => {
                    const rotated = await api.post<{ clientSecret: string }>(`${path}/rotate-secret`)
                    setSecret(rotated.clientSecret)
                  }}
                />
              ) : null}
              <ConfirmButton
                label="Delete"
                danger
                consequence={`Delete ${app.data.name}? Its refresh tokens go, and its access tokens die.`}
                onConfirm={async () => {
                  await api.delete(path)
                  navigate({ page: 'applications' })
                }}
              />
            </div>
          ) : null}
          {secret ? <SecretOnce label="New client secret" value={secret} /> : null}
        </>
      ) : null}
    </>
  )
}

function RedirectUris(props: { app: Application; path: string; editable: boolean; onSaved: () => void }) {
  const { api } = useConsole()
  const [editing, setEditing] = useState(false)
  const [text, setText] = useState(props.app.redirectUris.join('\n'))
  const [error, setError] = useState<Error | null>(null)
  return (
    <section aria-labelledby="redirects-heading">
      <h2 id="redirects-heading">Redirect URIs</h2>
      {!editing ? (
        <>
          {props.app.redirectUris.length === 0 ? <p className="muted">None.</p> : null}
          <ul>
            {props.app.redirectUris.map((uri) => (
              <li key={uri}>
                <code>{uri}</code>
              </li>
            ))}
          </ul>
          {props.editable ? (
            <button type="button" onClick={() => setEditing(true)}>
              Edit redirect URIs
            </button>
          ) : null}
        </>
      ) : (
        <form
          onSubmit={async (event) => {
            event.preventDefault()
            setError(null)
            try {
              await api.patch(props.path, { redirectUris: splitList(text) })
              setEditing(false)
              props.onSaved()
            } catch (caught) {
              setError(asError(caught))
            }
          }}
        >
          <label htmlFor="redirects">One per line, matched exactly</label>
          <textarea id="redirects" rows={4} value={text} onChange={(event) => setText(event.target.value)} />
          <ErrorNote error={error} />
          <div className="actions">
            <button type="submit">Save</button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  )
}
