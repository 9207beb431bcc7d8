import { type FormEvent, useState } from 'react'
import { segment } from '../api/admin-client.js'
import type { Application, ApplicationType, Role } from '../api/admin-types.js'
import { fetchAll } from '../api/fetch-all.js'
import { asError } from '../ui/as-error.js'
import { useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ErrorNote } from '../ui/widgets.js'
import { splitList, TYPES } from './application-types.js'

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code'
/** The grants a type may hold, and those it gets when none are named (applications/application.ts on the server). */
const GRANTS: Record<ApplicationType, { allowed: string[]; defaults: string[] }> = {
  web: { allowed: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE, DEVICE_CODE], defaults: ['authorization_code', 'refresh_token'] },
  spa: { allowed: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE], defaults: ['authorization_code', 'refresh_token'] },
  native: {
    allowed: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE, DEVICE_CODE],
    defaults: ['authorization_code', 'refresh_token'],
  },
  m2m: { allowed: ['client_credentials'], defaults: ['client_credentials'] },
  'resource-server': { allowed: [], defaults: [] },
}
const GRANT_LABELS: Record<string, string> = {
  authorization_code: 'Authorization code (with PKCE)',
  refresh_token: 'Refresh token',
  client_credentials: 'Client credentials',
  [TOKEN_EXCHANGE]: 'Token exchange (RFC 8693: trade a session for tokens)',
  [DEVICE_CODE]: 'Device code (RFC 8628: sign in a CLI or a TV from another device)',
}

/**
 * The creation wizard: the type first (each with what it is for), then what that type needs, and
 * the advanced fields in a disclosure: grants, post-logout URIs, web origins, back-channel logout,
 * token lifetimes, first party; for a machine-to-machine application, the roles it holds.
 */
export function NewApplicationForm(props: {
  onCancel: () => void
  onCreated: (result: { application: Application; clientSecret?: string }) => void
}) {
  const { api } = useConsole()
  const [type, setType] = useState<ApplicationType>('web')
  const [name, setName] = useState('')
  const [redirectUris, setRedirectUris] = useState('')
  const [apis, setApis] = useState('')
  const [scopes, setScopes] = useState('')
  const [grants, setGrants] = useState<string[] | null>(null)
  const [postLogout, setPostLogout] = useState('')
  const [origins, setOrigins] = useState('')
  const [backchannel, setBackchannel] = useState('')
  const [accessTtl, setAccessTtl] = useState('')
  const [refreshTtl, setRefreshTtl] = useState('')
  const [firstParty, setFirstParty] = useState(false)
  const [roleIds, setRoleIds] = useState<string[]>([])
  const [error, setError] = useState<Error | null>(null)
  const [busy, setBusy] = useState(false)
  const interactive = type === 'web' || type === 'spa' || type === 'native'
  const roles = useLoad(() => (type === 'm2m' ? fetchAll<Role, 'roles'>(api, '/roles', 'roles') : Promise.resolve([])), `roles:${type}`)
  const chosenGrants = grants ?? GRANTS[type].defaults

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const list = (text: string) => (splitList(text).length > 0 ? splitList(text) : undefined)
      const body = {
        name,
        type,
        ...(interactive && list(redirectUris) ? { redirectUris: list(redirectUris) } : {}),
        ...(list(apis) ? { apis: list(apis) } : {}),
        ...(list(scopes) ? { scopes: list(scopes) } : {}),
        ...(grants !== null ? { grants } : {}),
        ...(interactive && list(postLogout) ? { postLogoutRedirectUris: list(postLogout) } : {}),
        ...((type === 'spa' || type === 'web') && list(origins) ? { webOrigins: list(origins) } : {}),
        ...(interactive && backchannel.trim() ? { backchannelLogoutUri: backchannel.trim() } : {}),
        ...(accessTtl ? { accessTokenTtl: Number(accessTtl) } : {}),
        ...(interactive && refreshTtl ? { refreshTokenTtl: Number(refreshTtl) } : {}),
        ...(interactive && firstParty ? { firstParty: true } : {}),
      }
      const created = await api.post<{ application: Application; clientSecret?: string }>('/applications', body)
      // Roles are held through their own endpoint; a failure here leaves the application created, and says so.
      for (const roleId of type === 'm2m' ? roleIds : []) {
        await api.put(`/applications/${segment(created.application.clientId)}/roles/${segment(roleId)}`).catch((caught: unknown) => {
          throw new Error(`The application was created, but a role could not be given: ${asError(caught).message}`)
        })
      }
      props.onCreated(created)
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
            <input
              type="radio"
              name="type"
              value={each.type}
              checked={type === each.type}
              onChange={() => {
                setType(each.type)
                setGrants(null)
              }}
            />
            <span>
              <strong>{each.label}</strong> <span className="muted">{each.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <label htmlFor="app-name">Name</label>
      <input id="app-name" required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
      {interactive ? (
        <>
          <label htmlFor="app-redirects">Redirect URIs (one per line, matched exactly)</label>
          <textarea id="app-redirects" rows={3} value={redirectUris} onChange={(event) => setRedirectUris(event.target.value)} />
        </>
      ) : null}
      <label htmlFor="app-apis">APIs (identifiers, one per line)</label>
      <textarea id="app-apis" rows={2} value={apis} onChange={(event) => setApis(event.target.value)} />
      <label htmlFor="app-scopes">Scopes it may ask for (space-separated)</label>
      <input id="app-scopes" value={scopes} onChange={(event) => setScopes(event.target.value)} />
      {type === 'm2m' ? (
        <fieldset>
          <legend>Roles it holds (its tokens carry their permissions)</legend>
          {(roles.data ?? []).length === 0 ? <p className="muted">No roles yet.</p> : null}
          {(roles.data ?? []).map((role) => (
            <label key={role.id} className="choice">
              <input
                type="checkbox"
                checked={roleIds.includes(role.id)}
                onChange={(e) => setRoleIds((old) => (e.target.checked ? [...old, role.id] : old.filter((id) => id !== role.id)))}
              />
              {role.name}
            </label>
          ))}
        </fieldset>
      ) : null}
      <details>
        <summary>Advanced</summary>
        {GRANTS[type].allowed.length > 0 ? (
          <fieldset>
            <legend>Grants</legend>
            {GRANTS[type].allowed.map((grant) => (
              <label key={grant} className="choice">
                <input
                  type="checkbox"
                  checked={chosenGrants.includes(grant)}
                  onChange={(e) => setGrants(e.target.checked ? [...chosenGrants, grant] : chosenGrants.filter((each) => each !== grant))}
                />
                {GRANT_LABELS[grant] ?? grant}
              </label>
            ))}
          </fieldset>
        ) : null}
        {interactive ? (
          <>
            <label htmlFor="app-post-logout">Post-logout redirect URIs (one per line)</label>
            <textarea id="app-post-logout" rows={2} value={postLogout} onChange={(e) => setPostLogout(e.target.value)} />
            <label htmlFor="app-backchannel">Back-channel logout URI (OIDC Back-Channel Logout)</label>
            <input id="app-backchannel" type="url" value={backchannel} onChange={(e) => setBackchannel(e.target.value)} />
          </>
        ) : null}
        {type === 'spa' || type === 'web' ? (
          <>
            <label htmlFor="app-origins">Web origins allowed to call the token endpoint (CORS, one per line)</label>
            <textarea id="app-origins" rows={2} value={origins} onChange={(e) => setOrigins(e.target.value)} />
            <p className="muted">Empty: a single-page app's redirect URIs' origins; none for a web app.</p>
          </>
        ) : null}
        <label htmlFor="app-access-ttl">Access-token lifetime override (seconds, empty: the API's)</label>
        <input id="app-access-ttl" type="number" min={30} max={86400} value={accessTtl} onChange={(e) => setAccessTtl(e.target.value)} />
        {interactive ? (
          <>
            <label htmlFor="app-refresh-ttl">Refresh-token idle lifetime override (seconds)</label>
            <input
              id="app-refresh-ttl"
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
      </details>
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
