import { useState } from 'react'
import type { Role, Session, User } from '../api/admin-types.js'
import { useCanWrite, useConsole } from '../ui/console-context.js'
import { DataTable } from '../ui/data-table.js'
import { useLoad } from '../ui/use-load.js'
import { ActionButton, ConfirmButton, Empty, ErrorNote, Link, Loading, When } from '../ui/widgets.js'
import { GiveRoleForm } from './give-role-form.js'
import { NewPasswordForm } from './new-password-form.js'
import { UserEmail } from './user-email.js'
import { UserIdentities } from './user-identities.js'
import { UserMfa } from './user-mfa.js'

/** One user: profile, status, roles and sessions. */
export function UserPage(props: { id: string }) {
  const { api, userId } = useConsole()
  const canWrite = useCanWrite()
  const path = `/users/${encodeURIComponent(props.id)}`
  const user = useLoad(() => api.get<{ user: User }>(path).then((body) => body.user), path)
  const roles = useLoad(() => api.get<{ roles: Role[] }>(`${path}/roles`).then((body) => body.roles), `${path}/roles`)
  const sessions = useLoad(() => api.get<{ sessions: Session[] }>(`${path}/sessions`).then((body) => body.sessions), `${path}/sessions`)

  return (
    <>
      <p>
        <Link to={{ page: 'users' }}>← Users</Link>
      </p>
      <Loading loading={user.loading} />
      <ErrorNote error={user.error} />
      {user.data ? (
        <>
          <h1>{user.data.email}</h1>
          <dl className="facts">
            <dt>Id</dt>
            <dd>
              <code>{user.data.id}</code>
            </dd>
            <dt>Status</dt>
            <dd>
              <span className={`status ${user.data.status}`} data-testid="user-status">
                {user.data.status}
              </span>
            </dd>
            <UserEmail user={user.data} path={path} onChanged={user.reload} />
            <dt>Created</dt>
            <dd>
              <When iso={user.data.createdAt} />
            </dd>
          </dl>
          {canWrite ? (
            <div className="actions">
              {user.data.status === 'active' ? (
                <ConfirmButton
                  label="Disable"
                  danger
                  consequence={
                    user.data.id === userId
                      ? 'This is you: disabling signs you out of this console too.'
                      : 'Disabling signs the user out everywhere and kills their tokens.'
                  }
                  onConfirm={async () => {
                    await api.post(`${path}/disable`)
                    user.reload()
                    sessions.reload()
                  }}
                />
              ) : (
                <ActionButton
                  label="Enable"
                  onClick={async () => {
                    await api.post(`${path}/enable`)
                    user.reload()
                  }}
                />
              )}
            </div>
          ) : null}
          {canWrite ? <ResetPassword path={path} onDone={sessions.reload} /> : null}
        </>
      ) : null}

      {user.data ? <UserMfa path={path} /> : null}
      {user.data ? <UserIdentities path={path} /> : null}

      <section aria-labelledby="roles-heading">
        <h2 id="roles-heading">Roles</h2>
        <Loading loading={roles.loading} />
        <ErrorNote error={roles.error} />
        {roles.data && roles.data.length === 0 ? <Empty>No roles.</Empty> : null}
        {roles.data && roles.data.length > 0 ? (
          <ul className="chips">
            {roles.data.map((role) => (
              <li key={role.id}>
                <Link to={{ page: 'role', id: role.id }}>{role.name}</Link>
                {canWrite ? (
                  <ConfirmButton
                    label="Remove"
                    consequence={`Take ${role.name} away? Their tokens that carry it die.`}
                    onConfirm={async () => {
                      await api.delete(`${path}/roles/${encodeURIComponent(role.id)}`)
                      roles.reload()
                    }}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
        {canWrite && roles.data ? <GiveRoleForm path={path} held={roles.data} selectId="add-role" onGiven={roles.reload} /> : null}
      </section>

      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Sessions</h2>
        <Loading loading={sessions.loading} />
        <ErrorNote error={sessions.error} />
        <DataTable
          caption="Active sessions"
          rows={sessions.data}
          rowKey={(session) => session.id}
          empty="No active sessions."
          columns={[
            { header: 'Device', cell: (session) => session.userAgent ?? <span className="muted">unknown</span> },
            { header: 'IP', cell: (session) => session.ip ?? <span className="muted">—</span> },
            { header: 'Created', cell: (session) => <When iso={session.createdAt} /> },
            { header: 'Last active', cell: (session) => <When iso={session.lastActiveAt} /> },
            { header: 'Expires', cell: (session) => <When iso={session.expiresAt} /> },
            canWrite && {
              header: 'Action',
              cell: (session) => (
                <ConfirmButton
                  label="Revoke"
                  consequence="Revoke this session and every token bound to it?"
                  onConfirm={async () => {
                    await api.delete(`${path}/sessions/${encodeURIComponent(session.id)}`)
                    sessions.reload()
                  }}
                />
              ),
            },
          ]}
        />
        {canWrite && sessions.data && sessions.data.length > 0 ? (
          <ConfirmButton
            label="Revoke all sessions"
            danger
            consequence="Sign the user out of every device? All their tokens die."
            onConfirm={async () => {
              await api.post(`${path}/sign-out-everywhere`)
              sessions.reload()
            }}
          />
        ) : null}
      </section>
    </>
  )
}

/** Sets a new password: every session of the user is revoked and their tokens die (the API says so). */
function ResetPassword(props: { path: string; onDone: () => void }) {
  const { api } = useConsole()
  const [open, setOpen] = useState(false)
  const [done, setDone] = useState(false)
  if (!open) {
    return (
      <p>
        <button type="button" onClick={() => setOpen(true)}>
          Reset password
        </button>
        {done ? <span role="status"> Password changed; the user was signed out everywhere.</span> : null}
      </p>
    )
  }
  return (
    <section aria-labelledby="reset-heading" className="card">
      <h2 id="reset-heading">Reset password</h2>
      <p className="muted">The user is signed out of every device, and every token they hold dies.</p>
      <NewPasswordForm
        id="reset-password"
        label="New password"
        submit="Set password"
        onSubmit={async (password) => {
          await api.post(`${props.path}/reset-password`, { password })
          setOpen(false)
          setDone(true)
          props.onDone()
        }}
      />
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </section>
  )
}
