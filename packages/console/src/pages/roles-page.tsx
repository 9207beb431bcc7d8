import { useState } from 'react'
import type { Role } from '../api/admin-types.js'
import { asError } from '../ui/as-error.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { Empty, ErrorNote, Link, Loading } from '../ui/widgets.js'

/** Roles: named bundles of API permissions held by users and m2m applications. */
export function RolesPage() {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const list = useLoad(() => api.get<{ roles: Role[] }>('/roles').then((body) => body.roles), 'roles')
  const [name, setName] = useState('')
  const [error, setError] = useState<Error | null>(null)
  return (
    <>
      <h1>Roles</h1>
      <Loading loading={list.loading} />
      <ErrorNote error={list.error} />
      {list.data && list.data.length === 0 ? <Empty>No roles.</Empty> : null}
      {list.data && list.data.length > 0 ? (
        <ul className="list">
          {list.data.map((role) => (
            <li key={role.id}>
              <Link to={{ page: 'role', id: role.id }}>{role.name}</Link> <span className="muted">{role.description}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {canWrite ? (
        <form
          className="inline"
          onSubmit={async (event) => {
            event.preventDefault()
            setError(null)
            try {
              await api.post('/roles', { name })
              setName('')
              list.reload()
            } catch (caught) {
              setError(asError(caught))
            }
          }}
        >
          <label htmlFor="role-name">New role</label>
          <input id="role-name" required maxLength={64} value={name} onChange={(event) => setName(event.target.value)} />
          <button type="submit">Create role</button>
          <ErrorNote error={error} />
        </form>
      ) : null}
    </>
  )
}
