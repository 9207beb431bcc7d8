import { useState } from 'react'
import type { Api, RoleDetail } from '../api/admin-types.js'
import { fetchAll } from '../api/fetch-all.js'
import { asError } from '../ui/as-error.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ConfirmButton, ErrorNote, Link, Loading, When } from '../ui/widgets.js'
import { RoleMembers } from './role-members.js'

/** One role and its permissions, as a matrix of the APIs' permissions. */
export function RolePage(props: { id: string }) {
  const { api, navigate } = useConsole()
  const canWrite = useCanWrite()
  const path = `/roles/${encodeURIComponent(props.id)}`
  const role = useLoad(() => api.get<{ role: RoleDetail }>(path).then((body) => body.role), path)
  const apis = useLoad(() => fetchAll<Api, 'apis'>(api, '/apis', 'apis'), 'apis')
  const [error, setError] = useState<Error | null>(null)

  async function toggle(identifier: string, permission: string, held: boolean) {
    setError(null)
    try {
      if (held) await api.delete(`${path}/permissions`, { api: identifier, permission })
      else await api.post(`${path}/permissions`, { api: identifier, permissions: [permission] })
      role.reload()
    } catch (caught) {
      setError(asError(caught))
    }
  }

  return (
    <>
      <p>
        <Link to={{ page: 'roles' }}>← Roles</Link>
      </p>
      <Loading loading={role.loading} />
      <ErrorNote error={role.error} />
      {role.data ? (
        <>
          <h1>{role.data.name}</h1>
          <p className="muted">{role.data.description}</p>
          <p>
            Updated <When iso={role.data.updatedAt} />
          </p>
          <h2>Permissions</h2>
          <ErrorNote error={error ?? apis.error} />
          {(apis.data ?? [])
            .filter((each) => each.scopes.length > 0)
            .map((each) => (
              <fieldset key={each.id}>
                <legend>
                  {each.name} <code>{each.identifier}</code>
                </legend>
                {each.scopes.map((scope) => {
                  const held = role.data?.permissions.some((p) => p.api === each.identifier && p.permission === scope) ?? false
                  return (
                    <label key={scope} className="choice">
                      <input
                        type="checkbox"
                        checked={held}
                        disabled={!canWrite}
                        onChange={() => void toggle(each.identifier, scope, held)}
                      />
                      <code>{scope}</code>
                    </label>
                  )
                })}
              </fieldset>
            ))}
          <RoleMembers roleId={role.data.id} roleName={role.data.name} />
          {canWrite ? (
            <ConfirmButton
              label="Delete role"
              danger
              consequence={`Delete ${role.data.name}? Its holders lose it and their tokens that carry it die.`}
              onConfirm={async () => {
                await api.delete(path)
                navigate({ page: 'roles' })
              }}
            />
          ) : null}
        </>
      ) : null}
    </>
  )
}
