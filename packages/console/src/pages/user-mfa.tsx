import { useCanWrite, useConsole } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { useLoad } from '../ui/use-load.js'
import { ConfirmButton, ErrorNote, Loading, When } from '../ui/widgets.js'

interface Factor {
  id: string
  kind: 'totp' | 'webauthn'
  name: string
  createdAt: string
  lastUsedAt: string | null
  backedUp?: boolean
}

/** A user's second factors (GET /users/{id}/mfa) and, for a writer, the reset that removes them all. */
export function UserMfa(props: { path: string }) {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const mfa = useLoad(() => api.get<{ factors: Factor[]; recoveryCodesLeft: number }>(`${props.path}/mfa`), `${props.path}/mfa`)
  return (
    <section aria-labelledby="mfa-heading">
      <h2 id="mfa-heading">Second factors</h2>
      <Loading loading={mfa.loading} />
      <ErrorNote error={mfa.error} />
      <DataTable
        caption="Second factors"
        rows={mfa.data?.factors ?? null}
        rowKey={(factor) => factor.id}
        empty="No second factor: the user signs in with a password alone."
        columns={[
          { header: 'Kind', testId: 'mfa-kind', cell: (factor) => (factor.kind === 'totp' ? 'authenticator app' : 'passkey') },
          { header: 'Name', cell: (factor) => factor.name },
          { header: 'Added', cell: (factor) => <When iso={factor.createdAt} /> },
          { header: 'Last used', cell: (factor) => <When iso={factor.lastUsedAt} /> },
        ]}
      />
      {mfa.data ? <p>Recovery codes left: {mfa.data.recoveryCodesLeft}</p> : null}
      {canWrite && mfa.data && (mfa.data.factors.length > 0 || mfa.data.recoveryCodesLeft > 0) ? (
        <ConfirmButton
          label="Reset second factors"
          danger
          consequence="Remove every factor and recovery code? The user's tokens die, and they sign in with the password alone until they enrol again."
          onConfirm={async () => {
            await api.delete(`${props.path}/mfa`)
            mfa.reload()
          }}
        />
      ) : null}
    </section>
  )
}
