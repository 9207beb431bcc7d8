import { useCallback, useEffect, useState } from 'react'
import { segment } from '../api/admin-client.js'
import { asError } from '../ui/as-error.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { ConfirmButton, ErrorNote, Link, Loading } from '../ui/widgets.js'

interface Members {
  users: { id: string; email: string }[]
  applications: { clientId: string; name: string }[]
  nextCursor: string | null
}

/** Who holds a role (GET /roles/{id}/members): users a page at a time, and m2m applications; take it away from one. */
export function RoleMembers(props: { roleId: string; roleName: string }) {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const path = `/roles/${segment(props.roleId)}/members`
  const [members, setMembers] = useState<Members | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<Error | null>(null)

  const load = useCallback(
    async (cursor: string | null) => {
      setLoading(true)
      setError(null)
      try {
        const page = await api.get<Members>(path, { limit: '50', cursor: cursor ?? undefined })
        setMembers((old) =>
          cursor && old ? { users: [...old.users, ...page.users], applications: old.applications, nextCursor: page.nextCursor } : page,
        )
      } catch (caught) {
        setError(asError(caught))
      } finally {
        setLoading(false)
      }
    },
    [api, path],
  )
  useEffect(() => {
    void load(null)
  }, [load])

  const consequence = (who: string) => `Take ${props.roleName} from ${who}? Their tokens that carry it die.`
  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <ErrorNote error={error} />
      <DataTable
        caption={`Users holding ${props.roleName}`}
        rows={members?.users ?? null}
        rowKey={(user) => user.id}
        empty="No user holds this role."
        columns={[
          { header: 'User', testId: 'member-user', cell: (user) => <Link to={{ page: 'user', id: user.id }}>{user.email}</Link> },
          { header: 'Id', cell: (user) => <code>{user.id}</code> },
          canWrite && {
            header: 'Action',
            cell: (user) => (
              <ConfirmButton
                label="Take away"
                consequence={consequence(user.email)}
                onConfirm={async () => {
                  await api.delete(`/users/${segment(user.id)}/roles/${segment(props.roleId)}`)
                  await load(null)
                }}
              />
            ),
          },
        ]}
      />
      {members?.nextCursor && !loading ? (
        <button type="button" onClick={() => void load(members.nextCursor)}>
          More members
        </button>
      ) : null}
      {members && members.applications.length > 0 ? (
        <DataTable
          caption={`Applications holding ${props.roleName}`}
          rows={members.applications}
          rowKey={(app) => app.clientId}
          empty=""
          columns={[
            { header: 'Application', cell: (app) => <Link to={{ page: 'application', id: app.clientId }}>{app.name}</Link> },
            canWrite && {
              header: 'Action',
              cell: (app) => (
                <ConfirmButton
                  label="Take away"
                  consequence={consequence(app.name)}
                  onConfirm={async () => {
                    await api.delete(`/applications/${segment(app.clientId)}/roles/${segment(props.roleId)}`)
                    await load(null)
                  }}
                />
              ),
            },
          ]}
        />
      ) : null}
      <Loading loading={loading} />
    </section>
  )
}
