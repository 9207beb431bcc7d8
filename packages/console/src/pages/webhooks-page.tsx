import type { WebhookEndpoint } from '../api/admin-types.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { ConfirmButton, Empty, ErrorNote, Loading, When } from '../ui/widgets.js'

/**
 * Webhook endpoints and the events they receive. Deliveries, resend and test events are not in
 * the admin API yet (the CLI has `webhooks deliveries` and `webhooks resend`), so they are not here.
 */
export function WebhooksPage() {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const list = useLoad(() => api.get<{ endpoints: WebhookEndpoint[] }>('/webhooks').then((body) => body.endpoints), 'webhooks')
  return (
    <>
      <h1>Webhooks</h1>
      <p className="muted">Signed with the Standard Webhooks scheme; see docs/webhooks.md to verify them.</p>
      <Loading loading={list.loading} />
      <ErrorNote error={list.error} />
      {list.data && list.data.length === 0 ? <Empty>No webhook endpoints.</Empty> : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Webhook endpoints</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Created</th>
                {canWrite ? <th scope="col">Action</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.data.map((endpoint) => (
                <tr key={endpoint.id}>
                  <td>
                    <code>{endpoint.url}</code>
                  </td>
                  <td>{endpoint.events.join(', ')}</td>
                  <td>
                    <When iso={endpoint.createdAt} />
                  </td>
                  {canWrite ? (
                    <td>
                      <ConfirmButton
                        label="Delete"
                        danger
                        consequence="Delete this endpoint and its delivery log?"
                        onConfirm={async () => {
                          await api.delete(`/webhooks/${encodeURIComponent(endpoint.id)}`)
                          list.reload()
                        }}
                      />
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
