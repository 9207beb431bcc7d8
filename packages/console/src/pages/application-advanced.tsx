import { type FormEvent, useState } from 'react'
import { segment } from '../api/admin-client.js'
import type { Application, Role } from '../api/admin-types.js'
import { asError } from '../ui/as-error.js'
import { useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ConfirmButton, ErrorNote, Loading } from '../ui/widgets.js'
import { splitList } from './application-types.js'
import { GiveRoleForm } from './give-role-form.js'

const INTERACTIVE = ['web', 'spa', 'native']
const lines = (list: readonly string[] | null) => (list ?? []).join('\n')

/**
 * An application's advanced settings: post-logout URIs, web origins, back-channel logout, token
 * lifetimes, first party. Shown to everyone; a writer edits them in one form, which sends only
 * what changed (PATCH), so a field the console does not know is never overwritten.
 */
export function ApplicationAdvanced(props: { app: Application; path: string; editable: boolean; onSaved(): void }) {
  const { app } = props
  const [editing, setEditing] = useState(false)
  const interactive = INTERACTIVE.includes(app.type)
  return (
    <section aria-labelledby="advanced-heading">
      <h2 id="advanced-heading">Advanced</h2>
      {editing ? (
        <AdvancedForm {...props} onDone={() => setEditing(false)} />
      ) : (
        <>
          <dl className="facts">
            {interactive ? (
              <>
                <dt>Post-logout redirect URIs</dt>
                <dd>{app.postLogoutRedirectUris.join(', ') || '—'}</dd>
                <dt>Web origins (CORS)</dt>
                <dd>
                  {app.allowedWebOrigins.join(', ') || '—'}
                  {app.webOrigins === null ? <span className="muted"> (the default)</span> : null}
                </dd>
                <dt>Back-channel logout URI</dt>
                <dd>{app.backchannelLogoutUri ?? '—'}</dd>
                <dt>First party</dt>
                <dd>{app.firstParty ? 'yes: no consent screen' : 'no'}</dd>
                <dt>Refresh-token idle lifetime</dt>
                <dd>{app.refreshTokenTtl === null ? 'the default' : `${app.refreshTokenTtl} s`}</dd>
              </>
            ) : null}
            <dt>Access-token lifetime</dt>
            <dd>{app.accessTokenTtl === null ? "the API's" : `${app.accessTokenTtl} s`}</dd>
          </dl>
          {props.editable ? (
            <button type="button" onClick={() => setEditing(true)}>
              Edit advanced settings
            </button>
          ) : null}
        </>
      )}
      {app.type === 'm2m' ? <ApplicationRoles path={props.path} editable={props.editable} /> : null}
    </section>
  )
}

function AdvancedForm(props: { app: Application; path: string; onSaved(): void; onDone(): void }) {
  const { api } = useConsole()
  const { app } = props
  const interactive = INTERACTIVE.includes(app.type)
  const [postLogout, setPostLogout] = useState(lines(app.postLogoutRedirectUris))
  const [origins, setOrigins] = useState(lines(app.webOrigins))
  const [backchannel, setBackchannel] = useState(app.backchannelLogoutUri ?? '')
  const [accessTtl, setAccessTtl] = useState(app.accessTokenTtl === null ? '' : String(app.accessTokenTtl))
  const [refreshTtl, setRefreshTtl] = useState(app.refreshTokenTtl === null ? '' : String(app.refreshTokenTtl))
  const [firstParty, setFirstParty] = useState(app.firstParty)
  const [error, setError] = useState<Error | null>(null)

  async function submit(event: FormEvent) {
    event.preventDefault()
    setError(null)
    const changes: Record<string, unknown> = {}
    const ttl = (text: string) => (text.trim() === '' ? null : Number(text))
    if (ttl(accessTtl) !== app.accessTokenTtl) changes.accessTokenTtl = ttl(accessTtl)
    if (interactive) {
      if (lines(splitList(postLogout)) !== lines(app.postLogoutRedirectUris)) changes.postLogoutRedirectUris = splitList(postLogout)
      const wantedOrigins = splitList(origins).length === 0 ? null : splitList(origins)
      if (lines(wantedOrigins) !== lines(app.webOrigins) || (wantedOrigins === null) !== (app.webOrigins === null)) {
        changes.webOrigins = wantedOrigins
      }
      const uri = backchannel.trim() === '' ? null : backchannel.trim()
      if (uri !== app.backchannelLogoutUri) changes.backchannelLogoutUri = uri
      if (ttl(refreshTtl) !== app.refreshTokenTtl) changes.refreshTokenTtl = ttl(refreshTtl)
      if (firstParty !== app.firstParty) changes.firstParty = firstParty
    }
    if (Object.keys(changes).length === 0) return props.onDone()
    try {
      await api.patch(props.path, changes)
      props.onDone()
      props.onSaved()
    } catch (caught) {
      setError(asError(caught))
    }
  }

  return (
    <form onSubmit={submit}>
      {interactive ? (
        <>
          <label htmlFor="adv-post-logout">Post-logout redirect URIs (one per line)</label>
          <textarea id="adv-post-logout" rows={2} value={postLogout} onChange={(e) => setPostLogout(e.target.value)} />
          <label htmlFor="adv-origins">Web origins (one per line; empty: the default)</label>
          <textarea id="adv-origins" rows={2} value={origins} onChange={(e) => setOrigins(e.target.value)} />
          <label htmlFor="adv-backchannel">Back-channel logout URI (empty: none)</label>
          <input id="adv-backchannel" type="url" value={backchannel} onChange={(e) => setBackchannel(e.target.value)} />
          <label htmlFor="adv-refresh-ttl">Refresh-token idle lifetime (seconds; empty: the default)</label>
          <input
            id="adv-refresh-ttl"
            type="number"
            min={30}
            max={31536000}
            value={refreshTtl}
            onChange={(e) => setRefreshTtl(e.target.value)}
          />
          <label className="choice">
            <input type="checkbox" checked={firstParty} onChange={(e) => setFirstParty(e.target.checked)} />
            First party: skip the consent screen
          </label>
        </>
      ) : null}
      <label htmlFor="adv-access-ttl">Access-token lifetime (seconds; empty: the API's)</label>
      <input id="adv-access-ttl" type="number" min={30} max={86400} value={accessTtl} onChange={(e) => setAccessTtl(e.target.value)} />
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit">Save advanced settings</button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  )
}

/** The roles a machine-to-machine application holds (its tokens carry their permissions); give or take away. */
function ApplicationRoles(props: { path: string; editable: boolean }) {
  const { api } = useConsole()
  const held = useLoad(() => api.get<{ roles: Role[] }>(`${props.path}/roles`).then((body) => body.roles), `${props.path}/roles`)
  const [error, setError] = useState<Error | null>(null)
  return (
    <>
      <h3>Roles</h3>
      <Loading loading={held.loading} />
      <ErrorNote error={held.error ?? error} />
      {held.data && held.data.length === 0 ? <p className="muted">No roles: its tokens carry no permission from a role.</p> : null}
      <ul className="chips">
        {(held.data ?? []).map((role) => (
          <li key={role.id}>
            {role.name}
            {props.editable ? (
              <ConfirmButton
                label="Take away"
                consequence={`Take ${role.name} away? Its tokens that carry it die.`}
                onConfirm={async () => {
                  await api.delete(`${props.path}/roles/${segment(role.id)}`)
                  held.reload()
                }}
              />
            ) : null}
          </li>
        ))}
      </ul>
      {props.editable ? (
        <GiveRoleForm path={props.path} held={held.data ?? []} selectId="app-add-role" onGiven={held.reload} onError={setError} />
      ) : null}
    </>
  )
}
