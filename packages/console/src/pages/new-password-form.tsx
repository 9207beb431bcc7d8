import { useState } from 'react'
import { asError } from '../ui/as-error.js'
import { ErrorNote } from '../ui/widgets.js'

/**
 * A password field and a submit button. The password goes to the admin API once and is never
 * kept: the field is emptied whatever the outcome. The server applies the policy (NIST SP
 * 800-63B: length, breached and common passwords) and says what is wrong.
 */
export function NewPasswordForm(props: { id: string; label: string; submit: string; onSubmit: (password: string) => Promise<void> }) {
  const [password, setPassword] = useState('')
  const [error, setError] = useState<Error | null>(null)
  const [busy, setBusy] = useState(false)
  return (
    <form
      className="inline"
      onSubmit={async (event) => {
        event.preventDefault()
        setBusy(true)
        setError(null)
        try {
          await props.onSubmit(password)
        } catch (caught) {
          setError(asError(caught))
        } finally {
          setPassword('')
          setBusy(false)
        }
      }}
    >
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="password"
        autoComplete="new-password"
        required
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <button type="submit" disabled={busy}>
        {props.submit}
      </button>
      <ErrorNote error={error} />
    </form>
  )
}
