import { segment } from '../api/admin-client.js'
import type { WebhookDelivery } from '../api/admin-types.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { usePaged } from '../ui/use-paged.js'
import { ActionButton, ErrorNote, Loading, MoreButton, When } from '../ui/widgets.js'

/** One endpoint's delivery log, newest first: status, response code, attempts; resend one; send a test event. */
export function WebhookDeliveries(props: { endpointId: string }) {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const base = `/webhooks/${segment(props.endpointId)}`
  const deliveries = usePaged<WebhookDelivery, 'deliveries'>(`${base}/deliveries`, 'deliveries', 20)
  return (
    <section aria-label="Deliveries">
      {canWrite ? (
        <p>
          <ActionButton
            label="Send test event"
            onClick={async () => {
              await api.post(`${base}/test`)
              deliveries.reload()
            }}
          />{' '}
          <span className="muted">A signed webhook.test event, sent on the dispatcher's next round (about a second).</span>
        </p>
      ) : null}
      <ErrorNote error={deliveries.error} />
      <DataTable
        caption="Deliveries, newest first"
        rows={deliveries.items}
        rowKey={(delivery) => delivery.id}
        empty="No deliveries yet."
        columns={[
          { header: 'Event', cell: (delivery) => <code>{delivery.eventType}</code> },
          {
            header: 'Status',
            testId: 'delivery-status',
            cell: (delivery) => <span className={`status ${delivery.status}`}>{delivery.status}</span>,
          },
          { header: 'Response', cell: (delivery) => delivery.lastResponseCode ?? '—' },
          { header: 'Attempts', cell: (delivery) => delivery.attempts },
          { header: 'Last error', cell: (delivery) => (delivery.lastError ? <code>{delivery.lastError}</code> : '—') },
          { header: 'Created', cell: (delivery) => <When iso={delivery.createdAt} /> },
          { header: 'Next attempt', cell: (delivery) => <When iso={delivery.nextAttemptAt} /> },
          { header: 'Id (webhook-id)', cell: (delivery) => <code>{delivery.id}</code> },
          canWrite && {
            header: 'Action',
            cell: (delivery) => (
              <ActionButton
                label="Resend"
                onClick={async () => {
                  await api.post(`${base}/deliveries/${segment(delivery.id)}/resend`)
                  deliveries.reload()
                }}
              />
            ),
          },
        ]}
      />
      <Loading loading={deliveries.loading} />
      <MoreButton paged={deliveries} />{' '}
      <button type="button" onClick={() => deliveries.reload()}>
        Refresh
      </button>
    </section>
  )
}
