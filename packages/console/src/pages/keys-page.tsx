import type { SigningKey } from '../api/admin-types.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { useLoad } from '../ui/use-load.js'
import { ConfirmButton, ErrorNote, Loading, When } from '../ui/widgets.js'

/** Signing keys: their states and dates, rotate now, revoke. Private keys never leave the server. */
export function KeysPage() {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const list = useLoad(() => api.get<{ keys: SigningKey[] }>('/keys').then((body) => body.keys), 'keys')
  return (
    <>
      <h1>Signing keys</h1>
      <p className="muted">
        A new key is published in the JWKS before it signs; an old one stays published until the tokens it signed have expired.
      </p>
      {canWrite ? (
        <div className="actions">
          <ConfirmButton
            label="Rotate now"
            consequence="Publish a new key now; it signs after the pre-publication window, and the current key retires."
            onConfirm={async () => {
              await api.post('/keys/rotate', {})
              list.reload()
            }}
          />
        </div>
      ) : null}
      <Loading loading={list.loading} />
      <ErrorNote error={list.error} />
      <DataTable
        caption="Signing keys"
        rows={list.data}
        rowKey={(key) => key.kid}
        empty="No keys."
        columns={[
          { header: 'kid', cell: (key) => <code>{key.kid.slice(0, 12)}…</code> },
          { header: 'alg', cell: (key) => key.alg },
          { header: 'State', cell: (key) => <span className={`status ${key.state}`}>{key.state}</span> },
          { header: 'Created', cell: (key) => <When iso={key.createdAt} /> },
          { header: 'Signs from', cell: (key) => <When iso={key.activatesAt} /> },
          { header: 'Retired', cell: (key) => <When iso={key.retiredAt} /> },
          { header: 'Removed after', cell: (key) => <When iso={key.removeAfter} /> },
          canWrite && {
            header: 'Action',
            cell: (key) =>
              key.state !== 'revoked' && key.state !== 'removed' ? (
                <ConfirmButton
                  label="Revoke"
                  danger
                  consequence={`Revoke ${key.kid.slice(0, 12)}…? Every token it signed dies at once.`}
                  onConfirm={async () => {
                    await api.post(`/keys/${encodeURIComponent(key.kid)}/revoke`)
                    list.reload()
                  }}
                />
              ) : null,
          },
        ]}
      />
    </>
  )
}
