import { useState } from 'react'
import type { Application } from '../api/admin-types.js'
import { useCanWrite } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { usePaged } from '../ui/use-paged.js'
import { ErrorNote, Link, Loading, MoreButton, SecretOnce, When } from '../ui/widgets.js'
import { typeLabel } from './application-types.js'
import { NewApplicationForm } from './new-application-form.js'

/** The built-in console client (migration 0008-console-client): shown, never edited. */
export const CONSOLE_CLIENT_ID = 'tessera-admin-console'

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
        <NewApplicationForm
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
