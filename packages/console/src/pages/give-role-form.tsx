import { useState } from 'react'
import { segment } from '../api/admin-client.js'
import type { Role } from '../api/admin-types.js'
import { fetchAll } from '../api/fetch-all.js'
import { asError } from '../ui/as-error.js'
import { useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ErrorNote } from '../ui/widgets.js'

/**
 * "Give role" for a user or an application: the roles it does not hold yet, one to choose, given
 * with PUT `{path}/roles/{id}`. Renders nothing when it holds every role. A refusal is shown in the
 * form, or handed to `onError` when the page shows its errors elsewhere.
 */
export function GiveRoleForm(props: {
  path: string
  held: readonly Role[]
  selectId: string
  onGiven: () => void
  onError?: (error: Error | null) => void
}) {
  const { api } = useConsole()
  const all = useLoad(() => fetchAll<Role, 'roles'>(api, '/roles', 'roles'), 'roles')
  const [choice, setChoice] = useState('')
  const [ownError, setOwnError] = useState<Error | null>(null)
  const setError = props.onError ?? setOwnError
  const options = (all.data ?? []).filter((role) => !props.held.some((held) => held.id === role.id))
  if (options.length === 0) return null
  return (
    <form
      className="inline"
      onSubmit={async (event) => {
        event.preventDefault()
        if (!choice) return
        setError(null)
        try {
          await api.put(`${props.path}/roles/${segment(choice)}`)
          setChoice('')
          props.onGiven()
        } catch (caught) {
          setError(asError(caught))
        }
      }}
    >
      <label htmlFor={props.selectId}>Give role</label>
      <select id={props.selectId} value={choice} onChange={(event) => setChoice(event.target.value)}>
        <option value="">Choose…</option>
        {options.map((role) => (
          <option key={role.id} value={role.id}>
            {role.name}
          </option>
        ))}
      </select>
      <button type="submit" disabled={!choice}>
        Give
      </button>
      {props.onError ? null : <ErrorNote error={ownError} />}
    </form>
  )
}
