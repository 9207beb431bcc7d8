import { type ReactNode, useId, useState } from 'react'
import { AdminApiError } from '../api/admin-client.js'
import type { Route } from '../router.js'
import { asError } from './as-error.js'
import { useConsole } from './console-context.js'

/** An in-app link: a real <a href> (keyboard, middle click), routed without a page load. */
export function Link(props: { to: Route; children: ReactNode; className?: string }) {
  const { navigate, href } = useConsole()
  return (
    <a
      href={href(props.to)}
      className={props.className}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
        event.preventDefault()
        navigate(props.to)
      }}
    >
      {props.children}
    </a>
  )
}

/** An error, said plainly, with the API's stable code for searching the docs. */
export function ErrorNote(props: { error: Error | null }) {
  if (!props.error) return null
  const code = props.error instanceof AdminApiError ? props.error.code : null
  return (
    <p className="error" role="alert">
      {props.error.message}
      {code ? <code className="code"> ({code})</code> : null}
    </p>
  )
}

export function Loading(props: { loading: boolean }) {
  return props.loading ? (
    <p className="muted" aria-live="polite">
      Loading…
    </p>
  ) : null
}

export function Empty(props: { children: ReactNode }) {
  return <p className="empty">{props.children}</p>
}

/**
 * A destructive action asks first: the first press names the consequence and offers Confirm and
 * Cancel; only Confirm acts. A failure is shown, never swallowed.
 */
export function ConfirmButton(props: { label: string; consequence: string; onConfirm: () => Promise<unknown>; danger?: boolean }) {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Error | null>(null)
  const id = useId()
  if (!asking) {
    return (
      <button type="button" className={props.danger ? 'danger' : undefined} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    )
  }
  return (
    <fieldset className="confirm" aria-labelledby={id}>
      <span id={id}>{props.consequence}</span>{' '}
      <button
        type="button"
        className="danger"
        disabled={busy}
        // biome-ignore lint/a11y/noAutofocus: the confirmation takes the focus so the keyboard user lands on it.
        autoFocus
        onClick={async () => {
          setBusy(true)
          setError(null)
          try {
            await props.onConfirm()
            setAsking(false)
          } catch (caught) {
            setError(asError(caught))
          } finally {
            setBusy(false)
          }
        }}
      >
        Confirm {props.label.toLowerCase()}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)} disabled={busy}>
        Cancel
      </button>
      <ErrorNote error={error} />
    </fieldset>
  )
}

/** A button whose action may fail: busy while it runs, the failure shown next to it. */
export function ActionButton(props: { label: string; onClick: () => Promise<unknown> }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Error | null>(null)
  return (
    <>
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true)
          setError(null)
          try {
            await props.onClick()
          } catch (caught) {
            setError(asError(caught))
          } finally {
            setBusy(false)
          }
        }}
      >
        {props.label}
      </button>
      <ErrorNote error={error} />
    </>
  )
}

/** A secret shown once, with a copy button; it is gone when the page changes. */
export function SecretOnce(props: { label: string; value: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <div className="secret" role="status">
      <p>
        <strong>{props.label}</strong> (shown once: store it now)
      </p>
      <code data-testid="secret">{props.value}</code>{' '}
      <button
        type="button"
        onClick={async () => {
          await navigator.clipboard.writeText(props.value)
          setCopied(true)
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  )
}

export function When(props: { iso: string | null }) {
  if (!props.iso) return <span className="muted">—</span>
  const date = new Date(props.iso)
  return <time dateTime={props.iso}>{date.toLocaleString()}</time>
}

/** "Load more" under a paged list, while the API says more pages follow. */
export function MoreButton(props: { paged: { hasMore: boolean; loading: boolean; more(): void } }) {
  if (!props.paged.hasMore || props.paged.loading) return null
  return (
    <button type="button" onClick={() => props.paged.more()}>
      Load more
    </button>
  )
}
