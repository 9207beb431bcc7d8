import { useState } from 'react'
import { segment } from '../api/admin-client.js'
import type { Api, Role, RoleDetail } from '../api/admin-types.js'
import { fetchAll } from '../api/fetch-all.js'
import { asError } from '../ui/as-error.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ErrorNote, Loading } from '../ui/widgets.js'

/**
 * Permissions across APIs as a matrix: a row per API permission, a column per role (those listed
 * on the page). An operator with admin:write ticks a box to grant, unticks to take away; a
 * read-only operator sees the same table with marks instead of boxes.
 */
export function PermissionsMatrix(props: { roles: readonly Role[] }) {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const key = props.roles.map((role) => role.id).join(',')
  const data = useLoad(async () => {
    const [apis, details] = await Promise.all([
      fetchAll<Api, 'apis'>(api, '/apis', 'apis'),
      Promise.all(props.roles.map((role) => api.get<{ role: RoleDetail }>(`/roles/${segment(role.id)}`).then((body) => body.role))),
    ])
    return { apis: apis.filter((each) => each.scopes.length > 0), details }
  }, `matrix:${key}`)
  const [error, setError] = useState<Error | null>(null)

  async function toggle(role: RoleDetail, identifier: string, permission: string, held: boolean) {
    setError(null)
    try {
      const path = `/roles/${segment(role.id)}/permissions`
      if (held) await api.delete(path, { api: identifier, permission })
      else await api.post(path, { api: identifier, permissions: [permission] })
      data.reload()
    } catch (caught) {
      setError(asError(caught))
    }
  }

  if (props.roles.length === 0) return null
  return (
    <section aria-labelledby="matrix-heading">
      <h2 id="matrix-heading">Permissions matrix</h2>
      <Loading loading={data.loading} />
      <ErrorNote error={error ?? data.error} />
      {data.data && data.data.apis.length === 0 ? <p className="empty">No API defines permissions yet.</p> : null}
      {data.data && data.data.apis.length > 0 ? (
        <div className="table-wrap">
          <table className="matrix">
            <caption className="sr-only">Which role grants which API permission</caption>
            <thead>
              <tr>
                <th scope="col">Permission</th>
                {data.data.details.map((role) => (
                  <th scope="col" key={role.id}>
                    {role.name}
                  </th>
                ))}
              </tr>
            </thead>
            {data.data.apis.map((each) => (
              <tbody key={each.id}>
                <tr>
                  <th scope="colgroup" colSpan={data.data ? data.data.details.length + 1 : 1} className="group">
                    {each.name} <code>{each.identifier}</code>
                  </th>
                </tr>
                {each.scopes.map((scope) => (
                  <tr key={scope}>
                    <th scope="row">
                      <code>{scope}</code>
                    </th>
                    {(data.data?.details ?? []).map((role) => {
                      const held = role.permissions.some((p) => p.api === each.identifier && p.permission === scope)
                      return (
                        <td key={role.id}>
                          {canWrite ? (
                            <input
                              type="checkbox"
                              aria-label={`${role.name}: ${scope} on ${each.name}`}
                              checked={held}
                              onChange={() => void toggle(role, each.identifier, scope, held)}
                            />
                          ) : held ? (
                            <span role="img" aria-label={`${role.name} grants ${scope}`}>
                              ✓
                            </span>
                          ) : (
                            <span className="sr-only">not granted</span>
                          )}
                        </td>
                      )
                    })}
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </div>
      ) : null}
    </section>
  )
}
