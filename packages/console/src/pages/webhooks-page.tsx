import { useState } from 'react'
import { segment } from '../api/admin-client.js'
import type { WebhookEndpoint } from '../api/admin-types.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { usePaged } from '../ui/use-paged.js'
import { ConfirmButton, Empty, ErrorNote, Loading, MoreButton, SecretOnce, When } from '../ui/widgets.js'
import { NewWebhookForm } from './new-webhook-form.js'
import { WebhookDeliveries } from './webhook-deliveries.js'

/** Webhook endpoints, the events they receive, and each one's deliveries (resend, test event). */
export function WebhooksPage() {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const list = usePaged<WebhookEndpoint, 'endpoints'>('/webhooks', 'endpoints')
  const [creating, setCreating] = useState(false)
  const [created, setCreated] = useState<{ endpoint: WebhookEndpoint; secret: string } | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  return (
    <>
      <h1>Webhooks</h1>
      <p className="muted">Signed with the Standard Webhooks scheme; see docs/webhooks.md to verify them.</p>
      {canWrite && !creating ? (
        <button type="button" onClick={() => setCreating(true)}>
          New endpoint
        </button>
      ) : null}
      {creating ? (
        <NewWebhookForm
          onCancel={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false)
            setCreated(result)
            list.reload()
          }}
        />
      ) : null}
      {created ? <SecretOnce label={`Signing secret of ${created.endpoint.url}`} value={created.secret} /> : null}
      <ErrorNote error={list.error} />
      {list.items && list.items.length === 0 ? <Empty>No webhook endpoints.</Empty> : null}
      {list.items?.map((endpoint) => (
        <section key={endpoint.id} className="card" aria-labelledby={`endpoint-${endpoint.id}`}>
          <h2 id={`endpoint-${endpoint.id}`}>
            <code>{endpoint.url}</code>
          </h2>
          <dl className="facts">
            <dt>Events</dt>
            <dd>{endpoint.events.join(', ')}</dd>
            <dt>Created</dt>
            <dd>
              <When iso={endpoint.createdAt} />
            </dd>
            <dt>Id</dt>
            <dd>
              <code>{endpoint.id}</code>
            </dd>
          </dl>
          <button type="button" aria-expanded={open === endpoint.id} onClick={() => setOpen(open === endpoint.id ? null : endpoint.id)}>
            {open === endpoint.id ? 'Hide deliveries' : 'Deliveries'}
          </button>{' '}
          {canWrite ? (
            <ConfirmButton
              label="Delete"
              danger
              consequence="Delete this endpoint and its delivery log? Nothing more is sent to it."
              onConfirm={async () => {
                await api.delete(`/webhooks/${segment(endpoint.id)}`)
                list.reload()
              }}
            />
          ) : null}
          {open === endpoint.id ? <WebhookDeliveries endpointId={endpoint.id} /> : null}
        </section>
      ))}
      <Loading loading={list.loading} />
      <MoreButton paged={list} />
    </>
  )
}
