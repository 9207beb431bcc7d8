import type { SigningKey } from '../api/admin-types.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ConfirmButton, Empty, ErrorNote, Loading, When } from '../ui/widgets.js'

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
      {list.data && list.data.length === 0 ? <Empty>No keys.</Empty> : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Signing keys</caption>
            <thead>
              <tr>
                <th scope="col">kid</th>
                <th scope="col">alg</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Signs from</th>
                <th scope="col">Retired</th>
                <th scope="col">Removed after</th>
                {canWrite ? <th scope="col">Action</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.data.map((key) => (
                <tr key={key.kid}>
                  <td>
                    <code>{key.kid.slice(0, 12)}…</code>
                  </td>
                  <td>{key.alg}</td>
                  <td>
                    <span className={`status ${key.state}`}>{key.state}</span>
                  </td>
                  <td>
                    <When iso={key.createdAt} />
                  </td>
                  <td>
                    <When iso={key.activatesAt} />
                  </td>
                  <td>
                    <When iso={key.retiredAt} />
                  </td>
                  <td>
                    <When iso={key.removeAfter} />
                  </td>
                  {canWrite ? (
                    <td>
                      {key.state !== 'revoked' && key.state !== 'removed' ? (
                        <ConfirmButton
                          label="Revoke"
                          danger
                          consequence={`Revoke ${key.kid.slice(0, 12)}…? Every token it signed dies at once.`}
                          onConfirm={async () => {
                            await api.post(`/keys/${encodeURIComponent(key.kid)}/revoke`)
                            list.reload()
                          }}
                        />
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  )
}
