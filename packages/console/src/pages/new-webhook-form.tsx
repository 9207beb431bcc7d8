import { type FormEvent, useState } from 'react'
import { WEBHOOK_EVENT_TYPES, type WebhookEndpoint } from '../api/admin-types.js'
import { asError } from '../ui/as-error.js'
import { useConsole } from '../ui/console-context.js'
import { ErrorNote } from '../ui/widgets.js'

/** Registers an endpoint: its https URL and the events it receives. The secret comes back once. */
export function NewWebhookForm(props: { onCreated(result: { endpoint: WebhookEndpoint; secret: string }): void; onCancel(): void }) {
  const { api } = useConsole()
  const [url, setUrl] = useState('')
  const [events, setEvents] = useState<string[]>([])
  const [insecure, setInsecure] = useState(false)
  const [error, setError] = useState<Error | null>(null)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    try {
      props.onCreated(
        await api.post<{ endpoint: WebhookEndpoint; secret: string }>('/webhooks', {
          url,
          events,
          ...(insecure ? { allowInsecureDevelopment: true } : {}),
        }),
      )
    } catch (caught) {
      setError(asError(caught))
    }
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-webhook-heading">
      <h2 id="new-webhook-heading">New webhook endpoint</h2>
      <label htmlFor="webhook-url">URL</label>
      <input id="webhook-url" type="url" required maxLength={2048} value={url} onChange={(e) => setUrl(e.target.value)} />
      <fieldset>
        <legend>Events</legend>
        {WEBHOOK_EVENT_TYPES.map((type) => (
          <label key={type} className="choice">
            <input
              type="checkbox"
              checked={events.includes(type)}
              onChange={(e) => setEvents((old) => (e.target.checked ? [...old, type] : old.filter((each) => each !== type)))}
            />{' '}
            <code>{type}</code>
          </label>
        ))}
      </fieldset>
      <label className="choice">
        <input type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} /> Development: allow http and private
        addresses (refused in production)
      </label>
      <ErrorNote error={error} />
      <button type="submit" disabled={events.length === 0}>
        Create endpoint
      </button>{' '}
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  )
}
