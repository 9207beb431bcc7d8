import { useCanWrite, useConsole } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { useLoad } from '../ui/use-load.js'
import { ConfirmButton, ErrorNote, Loading, When } from '../ui/widgets.js'

interface Identity {
  id: string
  connectionId: string
  connectionName: string
  subject: string
  email: string | null
  createdAt: string
  lastUsedAt: string | null
}

/** A user's linked upstream identities (GET /users/{id}/identities) and, for a writer, unlinking one. */
export function UserIdentities(props: { path: string }) {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const identities = useLoad(() => api.get<{ identities: Identity[] }>(`${props.path}/identities`), `${props.path}/identities`)
  return (
    <section aria-labelledby="identities-heading">
      <h2 id="identities-heading">Linked identities</h2>
      <Loading loading={identities.loading} />
      <ErrorNote error={identities.error} />
      <DataTable
        caption="Linked identities"
        rows={identities.data?.identities ?? null}
        rowKey={(identity) => identity.id}
        empty="No linked identity: the user does not sign in through another identity provider."
        columns={[
          { header: 'Connection', testId: 'identity-connection', cell: (identity) => identity.connectionName },
          { header: 'Upstream subject', cell: (identity) => <code>{identity.subject}</code> },
          { header: 'Email', cell: (identity) => identity.email ?? <span className="muted">—</span> },
          { header: 'Linked', cell: (identity) => <When iso={identity.createdAt} /> },
          { header: 'Last used', cell: (identity) => <When iso={identity.lastUsedAt} /> },
          canWrite && {
            header: 'Action',
            cell: (identity) => (
              <ConfirmButton
                label="Unlink"
                consequence={`Unlink ${identity.connectionName}? The user can no longer sign in through it. The last way to sign in is refused here (the CLI's --force removes it).`}
                onConfirm={async () => {
                  await api.delete(`${props.path}/identities/${encodeURIComponent(identity.id)}`)
                  identities.reload()
                }}
              />
            ),
          },
        ]}
      />
    </section>
  )
}
