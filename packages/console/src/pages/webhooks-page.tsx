import type { WebhookEndpoint } from '../api/admin-types.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { useLoad } from '../ui/use-load.js'
import { ConfirmButton, ErrorNote, Loading, When } from '../ui/widgets.js'

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
      <DataTable
        caption="Webhook endpoints"
        rows={list.data}
        rowKey={(endpoint) => endpoint.id}
        empty="No webhook endpoints."
        columns={[
          { header: 'URL', cell: (endpoint) => <code>{endpoint.url}</code> },
          { header: 'Events', cell: (endpoint) => endpoint.events.join(', ') },
          { header: 'Created', cell: (endpoint) => <When iso={endpoint.createdAt} /> },
          canWrite && {
            header: 'Action',
            cell: (endpoint) => (
              <ConfirmButton
                label="Delete"
                danger
                consequence="Delete this endpoint and its delivery log?"
                onConfirm={async () => {
                  await api.delete(`/webhooks/${encodeURIComponent(endpoint.id)}`)
                  list.reload()
                }}
              />
            ),
          },
        ]}
      />
    </>
  )
}
