import type { Api } from '../api/admin-types.js'
import { useConsole } from '../ui/console-context.js'
import { useLoad } from '../ui/use-load.js'
import { Empty, ErrorNote, Loading } from '../ui/widgets.js'

/** What each verification mode means, in plain words (docs/verification-modes.md). */
export const MODES: Record<Api['mode'], string> = {
  session: 'Every request is checked with Tessera: a revocation counts at once, at the cost of a round trip.',
  jwt: 'Tokens are checked locally with the public keys: fastest, but a revoked token works until it expires.',
  hybrid: 'Checked locally, plus a live revocation feed: JWT speed, revocations count within about a second.',
}

/** APIs (resources): their mode, permissions and token settings. */
export function ApiPage() {
  const { api } = useConsole()
  const list = useLoad(() => api.get<{ apis: Api[] }>('/apis').then((body) => body.apis), 'apis')
  return (
    <>
      <h1>APIs</h1>
      <Loading loading={list.loading} />
      <ErrorNote error={list.error} />
      {list.data && list.data.length === 0 ? <Empty>No APIs.</Empty> : null}
      {list.data?.map((each) => (
        <section key={each.id} className="card" aria-labelledby={`api-${each.id}`}>
          <h2 id={`api-${each.id}`}>
            {each.name} {each.identifier === 'urn:tessera:admin' ? <span className="badge">built in</span> : null}
          </h2>
          <dl className="facts">
            <dt>Identifier (audience)</dt>
            <dd>
              <code>{each.identifier}</code>
            </dd>
            <dt>Mode</dt>
            <dd>
              <strong>{each.mode}</strong>: {MODES[each.mode]}
            </dd>
            <dt>Access-token lifetime</dt>
            <dd>{each.accessTokenTtl} s</dd>
            <dt>Permissions</dt>
            <dd>{each.scopes.length > 0 ? each.scopes.map((scope) => <code key={scope}>{scope} </code>) : '—'}</dd>
            <dt>Roles claim</dt>
            <dd>{each.rolesClaim ? 'yes: its tokens carry the roles' : 'no'}</dd>
          </dl>
        </section>
      ))}
    </>
  )
}
