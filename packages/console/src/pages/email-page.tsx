import { useEffect, useState } from 'react'
import type { EmailDelivery } from '../api/admin-types.js'
import { asError } from '../ui/as-error.js'
import { useConsole } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { ErrorNote, Link, Loading, When } from '../ui/widgets.js'

interface DeliveryPage {
  transport: 'smtp' | 'development_outbox' | null
  deliveries: EmailDelivery[]
  nextCursor: string | null
}

const TRANSPORTS = {
  smtp: 'SMTP',
  development_outbox: 'the development outbox (nothing leaves the machine)',
} as const

/** Email deliveries, newest first: what was sent to whom, and what failed and why (docs/email.md). */
export function EmailPage() {
  const { api } = useConsole()
  const [status, setStatus] = useState('')
  const [page, setPage] = useState<DeliveryPage | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<Error | null>(null)

  async function load(cursor: string | null) {
    setLoading(true)
    setError(null)
    try {
      const next = await api.get<DeliveryPage>('/email/deliveries', {
        status: status || undefined,
        limit: '50',
        cursor: cursor ?? undefined,
      })
      setPage((previous) => (cursor && previous ? { ...next, deliveries: [...previous.deliveries, ...next.deliveries] } : next))
    } catch (caught) {
      setError(asError(caught))
    } finally {
      setLoading(false)
    }
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload from the newest when the filter changes.
  useEffect(() => {
    void load(null)
  }, [status])

  return (
    <>
      <h1>Email</h1>
      {page ? (
        <p className="muted">
          Messages go through {page.transport ? TRANSPORTS[page.transport] : 'nothing: no SMTP server is configured, so nothing is sent'}.
        </p>
      ) : null}
      <label htmlFor="email-status">Status</label>
      <select id="email-status" value={status} onChange={(event) => setStatus(event.target.value)}>
        <option value="">any</option>
        <option value="pending">pending</option>
        <option value="sent">sent</option>
        <option value="failed">failed</option>
      </select>
      <ErrorNote error={error} />
      <DataTable
        caption="Email deliveries, newest first"
        rows={page?.deliveries ?? null}
        rowKey={(delivery) => delivery.id}
        empty={status ? `No ${status} delivery.` : 'No email sent yet.'}
        columns={[
          { header: 'Recipient', cell: (delivery) => delivery.recipient },
          { header: 'Template', cell: (delivery) => <code>{delivery.template}</code> },
          { header: 'Status', cell: (delivery) => <span className={`status ${delivery.status}`}>{delivery.status}</span> },
          { header: 'Attempts', cell: (delivery) => delivery.attempts },
          { header: 'Last error', cell: (delivery) => (delivery.lastError ? <code>{delivery.lastError}</code> : '—') },
          { header: 'Sent', cell: (delivery) => <When iso={delivery.sentAt} /> },
          {
            header: 'User',
            cell: (delivery) => (delivery.userId ? <Link to={{ page: 'user', id: delivery.userId }}>{delivery.userId}</Link> : '—'),
          },
        ]}
      />
      <Loading loading={loading} />
      {page?.nextCursor && !loading ? (
        <button type="button" onClick={() => void load(page.nextCursor)}>
          Older deliveries
        </button>
      ) : null}
    </>
  )
}
