import { useEffect, useRef } from 'react'
import type { Access, TokenSet } from './auth/token-set.js'
import { ApiPage } from './pages/apis-page.js'
import { ApplicationPage } from './pages/application-page.js'
import { ApplicationsPage } from './pages/applications-page.js'
import { AuditPage } from './pages/audit-page.js'
import { ConnectionsPage } from './pages/connections-page.js'
import { EmailPage } from './pages/email-page.js'
import { KeysPage } from './pages/keys-page.js'
import { OverviewPage } from './pages/overview-page.js'
import { RolePage } from './pages/role-page.js'
import { RolesPage } from './pages/roles-page.js'
import { SettingsPage } from './pages/settings-page.js'
import { UserPage } from './pages/user-page.js'
import { UsersPage } from './pages/users-page.js'
import { WebhooksPage } from './pages/webhooks-page.js'
import type { Route } from './router.js'
import { Link } from './ui/widgets.js'

const NAV: { route: Route; label: string; section: Route['page'][] }[] = [
  { route: { page: 'overview' }, label: 'Overview', section: ['overview'] },
  { route: { page: 'users' }, label: 'Users', section: ['users', 'user'] },
  { route: { page: 'applications' }, label: 'Applications', section: ['applications', 'application'] },
  { route: { page: 'apis' }, label: 'APIs', section: ['apis'] },
  { route: { page: 'roles' }, label: 'Roles', section: ['roles', 'role'] },
  { route: { page: 'keys' }, label: 'Signing keys', section: ['keys'] },
  { route: { page: 'webhooks' }, label: 'Webhooks', section: ['webhooks'] },
  { route: { page: 'email' }, label: 'Email', section: ['email'] },
  { route: { page: 'audit' }, label: 'Audit log', section: ['audit'] },
  { route: { page: 'connections' }, label: 'Connections', section: ['connections'] },
  { route: { page: 'settings' }, label: 'Settings', section: ['settings'] },
]

/** The frame: navigation, who is signed in, read-only mode, sign out; the page in the middle. */
export function Frame(props: { route: Route; user: TokenSet['user']; access: Access; onSignOut: () => Promise<void> }) {
  // After an in-app navigation the focus moves to the new page, so a keyboard or screen-reader
  // user starts reading there instead of staying on the link (not on the first render).
  const main = useRef<HTMLElement>(null)
  const first = useRef(true)
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every change of page.
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    main.current?.focus()
  }, [props.route])
  return (
    <div className="frame">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Tessera admin</span>
        <span className="who">
          <span data-testid="who">{props.user.email ?? props.user.sub}</span>
          {props.access === 'read' ? (
            <span className="badge" data-testid="read-only" title="Your role grants admin:read only">
              read-only
            </span>
          ) : null}
          <button type="button" onClick={() => void props.onSignOut()}>
            Sign out
          </button>
        </span>
      </header>
      <nav aria-label="Sections" className="nav">
        <ul>
          {NAV.map((item) => (
            <li key={item.label}>
              <Link to={item.route} className={item.section.includes(props.route.page) ? 'current' : undefined}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="page" tabIndex={-1} ref={main}>
        <Page route={props.route} />
      </main>
    </div>
  )
}

function Page(props: { route: Route }) {
  const { route } = props
  switch (route.page) {
    case 'overview':
      return <OverviewPage />
    case 'users':
      return <UsersPage />
    case 'user':
      return <UserPage id={route.id} key={route.id} />
    case 'applications':
      return <ApplicationsPage />
    case 'application':
      return <ApplicationPage id={route.id} key={route.id} />
    case 'apis':
      return <ApiPage />
    case 'roles':
      return <RolesPage />
    case 'role':
      return <RolePage id={route.id} key={route.id} />
    case 'keys':
      return <KeysPage />
    case 'webhooks':
      return <WebhooksPage />
    case 'email':
      return <EmailPage />
    case 'settings':
      return <SettingsPage />
    case 'connections':
      return <ConnectionsPage />
    case 'audit':
      return <AuditPage />
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>There is no such page.</p>
        </>
      )
  }
}
