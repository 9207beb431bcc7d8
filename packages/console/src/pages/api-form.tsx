import { type FormEvent, useState } from 'react'
import { segment } from '../api/admin-client.js'
import type { Api } from '../api/admin-types.js'
import { asError } from '../ui/as-error.js'
import { useConsole } from '../ui/console-context.js'
import { ErrorNote } from '../ui/widgets.js'
import { splitList } from './application-types.js'

/** What each verification mode means, in plain words (docs/verification-modes.md). */
export const MODES: Record<Api['mode'], string> = {
  session: 'Every request is checked with Tessera: a revocation counts at once, at the cost of a round trip.',
  jwt: 'Tokens are checked locally with the public keys: fastest, but a revoked token works until it expires.',
  hybrid: 'Checked locally, plus a live revocation feed: JWT speed, revocations count within about a second.',
}

/**
 * Registers an API, or edits one: name, mode (with what it means), access-token lifetime, the
 * roles claim, and its permissions (added and removed one by one through their own endpoints,
 * so roles that grant a removed permission lose it in the same change).
 */
export function ApiForm(props: { existing?: Api; onSaved(api: Api): void; onCancel(): void }) {
  const { api } = useConsole()
  const existing = props.existing
  const [identifier, setIdentifier] = useState(existing?.identifier ?? '')
  const [name, setName] = useState(existing?.name ?? '')
  const [mode, setMode] = useState<Api['mode']>(existing?.mode ?? 'hybrid')
  const [ttl, setTtl] = useState(String(existing?.accessTokenTtl ?? 300))
  const [rolesClaim, setRolesClaim] = useState(existing?.rolesClaim ?? false)
  const [scopes, setScopes] = useState((existing?.scopes ?? []).join('\n'))
  const [error, setError] = useState<Error | null>(null)
  const [busy, setBusy] = useState(false)
  const prefix = existing ? `api-${existing.id}` : 'new-api'

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const wanted = [...new Set(splitList(scopes))]
      let saved: Api
      if (!existing) {
        saved = (await api.post<{ api: Api }>('/apis', { identifier, name, mode, accessTokenTtl: Number(ttl), rolesClaim, scopes: wanted }))
          .api
      } else {
        const path = `/apis/${segment(existing.id)}`
        saved = (await api.patch<{ api: Api }>(path, { name, mode, accessTokenTtl: Number(ttl), rolesClaim })).api
        const added = wanted.filter((scope) => !existing.scopes.includes(scope))
        if (added.length > 0) saved = (await api.post<{ api: Api }>(`${path}/permissions`, { permissions: added })).api
        for (const removed of existing.scopes.filter((scope) => !wanted.includes(scope))) {
          await api.delete(`${path}/permissions/${segment(removed)}`)
        }
        saved = (await api.get<{ api: Api }>(path)).api
      }
      props.onSaved(saved)
    } catch (caught) {
      setError(asError(caught))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card" onSubmit={submit} aria-label={existing ? `Edit ${existing.name}` : 'New API'}>
      {existing ? null : (
        <>
          <label htmlFor={`${prefix}-identifier`}>Identifier (audience)</label>
          <input
            id={`${prefix}-identifier`}
            required
            maxLength={512}
            placeholder="https://api.example.com"
            value={identifier}
            onChange={(e) => setIdentifier(e.target.value)}
          />
          <p className="muted">An absolute URI; clients ask for it as `resource` (RFC 8707). It cannot change later.</p>
        </>
      )}
      <label htmlFor={`${prefix}-name`}>Name</label>
      <input id={`${prefix}-name`} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      <fieldset>
        <legend>Verification mode</legend>
        {(Object.keys(MODES) as Api['mode'][]).map((each) => (
          <label key={each} className="choice">
            <input type="radio" name={`${prefix}-mode`} value={each} checked={mode === each} onChange={() => setMode(each)} />
            <span>
              <strong>{each}</strong>: {MODES[each]}
            </span>
          </label>
        ))}
      </fieldset>
      <label htmlFor={`${prefix}-ttl`}>Access-token lifetime (seconds)</label>
      <input id={`${prefix}-ttl`} type="number" min={30} max={86400} required value={ttl} onChange={(e) => setTtl(e.target.value)} />
      <label htmlFor={`${prefix}-scopes`}>Permissions (one per line)</label>
      <textarea id={`${prefix}-scopes`} rows={4} value={scopes} onChange={(e) => setScopes(e.target.value)} placeholder="orders:read" />
      <label className="choice">
        <input type="checkbox" checked={rolesClaim} onChange={(e) => setRolesClaim(e.target.checked)} />
        <span>Roles claim: its access tokens carry a `roles` claim with the names of the user's roles</span>
      </label>
      <ErrorNote error={error} />
      <button type="submit" disabled={busy}>
        {existing ? 'Save API' : 'Create API'}
      </button>{' '}
      <button type="button" onClick={props.onCancel} disabled={busy}>
        Cancel
      </button>
    </form>
  )
}
