import { useState } from 'react'
import { segment } from '../api/admin-client.js'
import type { Api } from '../api/admin-types.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { usePaged } from '../ui/use-paged.js'
import { ConfirmButton, Empty, ErrorNote, Loading, MoreButton } from '../ui/widgets.js'
import { ApiForm, MODES } from './api-form.js'

const BUILT_IN = 'urn:tessera:admin'

/** APIs (resources): their mode, permissions and token settings; register, edit and delete them. */
export function ApiPage() {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const list = usePaged<Api, 'apis'>('/apis', 'apis')
  const [creating, setCreating] = useState(false)
  const [editing, setEditing] = useState<string | null>(null)
  return (
    <>
      <h1>APIs</h1>
      {canWrite && !creating ? (
        <button type="button" onClick={() => setCreating(true)}>
          New API
        </button>
      ) : null}
      {creating ? (
        <ApiForm
          onCancel={() => setCreating(false)}
          onSaved={() => {
            setCreating(false)
            list.reload()
          }}
        />
      ) : null}
      <ErrorNote error={list.error} />
      {list.items && list.items.length === 0 ? <Empty>No APIs.</Empty> : null}
      {list.items?.map((each) => (
        <section key={each.id} className="card" aria-labelledby={`api-${each.id}`} data-testid="api-card">
          <h2 id={`api-${each.id}`}>
            {each.name} {each.identifier === BUILT_IN ? <span className="badge">built in</span> : null}
          </h2>
          {editing === each.id ? (
            <ApiForm
              existing={each}
              onCancel={() => setEditing(null)}
              onSaved={() => {
                setEditing(null)
                list.reload()
              }}
            />
          ) : (
            <>
              <dl className="facts">
                <dt>Identifier (audience)</dt>
                <dd>
                  <code>{each.identifier}</code>
                </dd>
                <dt>Mode</dt>
                <dd data-testid="api-mode">
                  <strong>{each.mode}</strong>: {MODES[each.mode]}
                </dd>
                <dt>Access-token lifetime</dt>
                <dd>{each.accessTokenTtl} s</dd>
                <dt>Permissions</dt>
                <dd>{each.scopes.length > 0 ? each.scopes.map((scope) => <code key={scope}>{scope} </code>) : '—'}</dd>
                <dt>Roles claim</dt>
                <dd>{each.rolesClaim ? 'yes: its tokens carry the roles' : 'no'}</dd>
              </dl>
              {canWrite && each.identifier !== BUILT_IN ? (
                <p>
                  <button type="button" onClick={() => setEditing(each.id)}>
                    Edit
                  </button>{' '}
                  <ConfirmButton
                    label="Delete"
                    danger
                    consequence={`Delete ${each.name}? Its tokens stop being accepted for it, and roles lose its permissions.`}
                    onConfirm={async () => {
                      await api.delete(`/apis/${segment(each.id)}`)
                      list.reload()
                    }}
                  />
                </p>
              ) : null}
            </>
          )}
        </section>
      ))}
      <Loading loading={list.loading} />
      <MoreButton paged={list} />
    </>
  )
}
