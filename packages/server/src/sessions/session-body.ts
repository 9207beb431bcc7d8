import { presentUser, type User } from '../users/user.js'
import { presentSession, type Session, type SessionPolicy } from './session.js'

/**
 * The JSON body of `GET /v1/session`: the user and the session, as `presentUser` and
 * `presentSession` show them. A row from the session read cache (session-read-cache.ts) is frozen
 * and comes back as the same objects on every hit, so its body, a function of the row and the
 * policy only, is built once and answered again (issue 17: presenting and serialising were ~5 µs
 * of CPU per check). A row that may still change is serialised afresh.
 */
export function createSessionBody(policy: SessionPolicy): (user: User, session: Session) => string {
  const bodies = new WeakMap<Session, { user: User; body: string }>()
  return (user, session) => {
    const memo = bodies.get(session)
    if (memo !== undefined && memo.user === user) return memo.body
    const body = JSON.stringify({ user: presentUser(user), session: presentSession(session, policy) })
    if (Object.isFrozen(session) && Object.isFrozen(session.amr) && Object.isFrozen(user)) bodies.set(session, { user, body })
    return body
  }
}
