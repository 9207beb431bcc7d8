import { useState } from 'react'
import type { Role } from '../api/admin-types.js'
import { asError } from '../ui/as-error.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { usePaged } from '../ui/use-paged.js'
import { Empty, ErrorNote, Link, Loading, MoreButton } from '../ui/widgets.js'
import { PermissionsMatrix } from './permissions-matrix.js'

/** Roles: named bundles of API permissions held by users and m2m applications. */
export function RolesPage() {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const list = usePaged<Role, 'roles'>('/roles', 'roles')
  const [name, setName] = useState('')
  const [error, setError] = useState<Error | null>(null)
  return (
    <>
      <h1>Roles</h1>
      <Loading loading={list.loading} />
      <ErrorNote error={list.error} />
      {list.items && list.items.length === 0 ? <Empty>No roles.</Empty> : null}
      {list.items && list.items.length > 0 ? (
        <ul className="list">
          {list.items.map((role) => (
            <li key={role.id}>
              <Link to={{ page: 'role', id: role.id }}>{role.name}</Link> <span className="muted">{role.description}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <MoreButton paged={list} />
      {list.items ? <PermissionsMatrix roles={list.items} /> : null}
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
