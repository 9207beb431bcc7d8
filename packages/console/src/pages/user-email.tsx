import { useState } from 'react'
import type { User } from '../api/admin-types.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { ActionButton, ConfirmButton } from '../ui/widgets.js'

/** The address's state (docs/email.md): verified or not; resend the verification, or vouch for the address. */
export function UserEmail(props: { user: User; path: string; onChanged(): void }) {
  const { api } = useConsole()
  const canWrite = useCanWrite()
  const [sent, setSent] = useState(false)
  const verified = props.user.emailVerified
  return (
    <>
      <dt>Email</dt>
      <dd>
        <span data-testid="email-state" className={verified ? 'status active' : 'status pending'}>
          {verified ? 'verified' : 'not verified'}
        </span>
        {canWrite && !verified ? (
          <span className="actions">
            {' '}
            <ActionButton
              label="Resend verification"
              onClick={async () => {
                await api.post(`${props.path}/send-verification-email`)
                setSent(true)
              }}
            />{' '}
            <ConfirmButton
              label="Mark verified"
              consequence="Vouch for this address without the user proving it?"
              onConfirm={async () => {
                await api.post(`${props.path}/mark-email-verified`)
                props.onChanged()
              }}
            />
            {sent ? <span role="status"> A new verification message is on its way.</span> : null}
          </span>
        ) : null}
      </dd>
    </>
  )
}
