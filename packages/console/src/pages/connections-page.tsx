import { segment } from '../api/admin-client.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ActionButton, ConfirmButton, Empty, ErrorNote, Loading, When } from '../ui/widgets.js'

interface Connection {
  id: string
  type: string
  preset: string | null
  name: string
  issuer: string | null
  authorizationEndpoint: string | null
  clientId: string
  hasClientSecret: boolean
  scopes: string[]
  allowSignUp: boolean
  enabled: boolean
  redirectUri: string
  createdAt: string
}

/**
 * Upstream identity providers (issue 15's GET /admin/v1/connections): what each is, the callback
 * to register at the provider, whether it may create accounts; a writer enables, disables or
 * deletes one. Adding one stays with `tessera connections add` and the API (docs/connections.md),
 * where the client secret is typed once and never shown again.
 */
export function ConnectionsPage() {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const list = useLoad(() => api.get<{ connections: Connection[] }>('/connections').then((body) => body.connections), 'connections')
  return (
    <>
      <h1>Connections</h1>
      <p className="muted">Upstream identity providers people may sign in with. Add one with the CLI or the admin API.</p>
      <Loading loading={list.loading} />
      <ErrorNote error={list.error} />
      {list.data && list.data.length === 0 ? <Empty>No upstream identity providers.</Empty> : null}
      {list.data?.map((each) => (
        <section key={each.id} className="card" aria-labelledby={`connection-${each.id}`}>
          <h2 id={`connection-${each.id}`}>
            {each.name} <span className="badge">{each.enabled ? 'enabled' : 'disabled'}</span>
          </h2>
          <dl className="facts">
            <dt>Kind</dt>
            <dd>
              {each.type === 'oidc' ? 'OpenID Connect' : 'OAuth 2.0'}
              {each.preset ? ` (${each.preset})` : ''}
            </dd>
            <dt>{each.issuer ? 'Issuer' : 'Authorization endpoint'}</dt>
            <dd>
              <code>{each.issuer ?? each.authorizationEndpoint ?? '—'}</code>
            </dd>
            <dt>Client id</dt>
            <dd>
              <code>{each.clientId}</code> {each.hasClientSecret ? '(with a secret)' : '(no secret)'}
            </dd>
            <dt>Callback to register</dt>
            <dd>
              <code>{each.redirectUri}</code>
            </dd>
            <dt>Scopes</dt>
            <dd>{each.scopes.join(' ') || '—'}</dd>
            <dt>New accounts</dt>
            <dd>{each.allowSignUp ? 'a first sign-in creates one' : 'existing accounts only'}</dd>
            <dt>Created</dt>
            <dd>
              <When iso={each.createdAt} />
            </dd>
          </dl>
          {canWrite ? (
            <p className="actions">
              <ActionButton
                label={each.enabled ? 'Disable' : 'Enable'}
                onClick={async () => {
                  await api.patch(`/connections/${segment(each.id)}`, { enabled: !each.enabled })
                  list.reload()
                }}
              />
              <ConfirmButton
                label="Delete"
                danger
                consequence={`Delete ${each.name}? People who signed in with it keep their accounts but can no longer use it.`}
                onConfirm={async () => {
                  await api.delete(`/connections/${segment(each.id)}`)
                  list.reload()
                }}
              />
            </p>
          ) : null}
        </section>
      ))}
    </>
  )
}
