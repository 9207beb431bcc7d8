import { describe, expect, it } from 'vitest'
import { holdPostgresReads } from '../../test/held-postgres-reads.js'
import { bearer, expectProblem, getSession, serve } from '../../test/session-fixture.js'
import { signUp, type TestServer } from '../../test/test-server.js'
import { SESSION_READS_IN_FLIGHT } from './session-read-batch.js'

// The session check on PostgreSQL reads the sessions of the checks that arrive together in one
// query (session-read-batch.ts, docs/sessions.md "The session check on PostgreSQL"). Session mode
// has no staleness: a check that starts after a revocation committed is refused, whichever batch
// it lands in.

const CLI = { kind: 'cli' } as const
const SESSION_READ = 'from "sessions" inner join "users"'

async function bearerSignUp(server: TestServer, email: string) {
  const { token, body } = await signUp(server.app, email, { transport: 'bearer' })
  return { token: token as string, sid: body.session?.id as string }
}

describe('the session check on postgres', () => {
  it('reads the sessions of checks that arrive together with one query, and answers each with its own user and session', async () => {
    const server = await serve('postgres')
    const ann = await bearerSignUp(server, 'ann@example.com')
    const bob = await bearerSignUp(server, 'bob@example.com')
    const hold = holdPostgresReads(server, SESSION_READ)
    hold.release()
    const wrongSecret = `${ann.token.slice(0, -4)}AAAA`

    const [annSees, bobSees, wrong] = await Promise.all([
      getSession(server, ann.token),
      getSession(server, bob.token),
      getSession(server, wrongSecret),
    ])

    expect(hold.queries).toHaveLength(1)
    expect([...(hold.queries[0] as string[])].sort()).toEqual([ann.sid, bob.sid].sort())
    expect(annSees.json()).toMatchObject({ user: { email: 'ann@example.com' }, session: { id: ann.sid } })
    expect(bobSees.json()).toMatchObject({ user: { email: 'bob@example.com' }, session: { id: bob.sid } })
    await expectProblem(wrong, 401, 'session_invalid')
  })

  it('refuses a check that starts after a revocation committed, while an earlier read of the same session is still in flight', async () => {
    const server = await serve('postgres')
    const ann = await bearerSignUp(server, 'ann@example.com')
    const hold = holdPostgresReads(server, SESSION_READ)

    const before = getSession(server, ann.token)
    await hold.sent(1)
    await hold.answered(1) // PostgreSQL read the session live; the answer is held
    await server.tessera.services.sessions.revoke(ann.sid, { reason: 'revoked_by_user', actor: CLI })
    const after = server.app.inject({ method: 'GET', url: '/v1/session', headers: bearer(ann.token) })
    await hold.sent(2)
    hold.release()

    // The first check started before the revocation: the live row it read is a correct answer.
    expect((await before).statusCode).toBe(200)
    // The second never joins the query already sent: it is read again, and refused.
    await expectProblem(after, 401, 'session_revoked')
    expect(hold.queries).toEqual([[ann.sid], [ann.sid]])
  })

  it('refuses a check that joins a batch still gathering after a revocation committed, though the batch began before it', async () => {
    const server = await serve('postgres')
    const ann = await bearerSignUp(server, 'ann@example.com')
    const others = []
    for (let i = 0; i < SESSION_READS_IN_FLIGHT; i++) others.push(await bearerSignUp(server, `user${i}@example.com`))
    const hold = holdPostgresReads(server, SESSION_READ)
    const sessions = server.tessera.services.sessions
    // Every query slot busy, so the next batch gathers until one returns.
    const busy = []
    for (const [i, other] of others.entries()) {
      busy.push(getSession(server, other.token))
      await hold.sent(i + 1)
    }

    // `authenticate` is what the route's preHandler awaits; called directly, its read has joined
    // the gathering batch when the call returns, so the order below is exact.
    const joinedBefore = sessions.authenticate(ann.token).then(
      () => 'live',
      (error: { code?: string }) => error.code,
    )
    await sessions.revoke(ann.sid, { reason: 'revoked_by_user', actor: CLI })
    const joinedAfter = sessions.authenticate(ann.token).then(
      () => 'live',
      (error: { code?: string }) => error.code,
    )
    expect(hold.queries).toHaveLength(SESSION_READS_IN_FLIGHT)
    hold.release()

    expect(await joinedAfter).toBe('session_revoked')
    // The batch's query was sent after both joined, so it read the revocation for both.
    expect(await joinedBefore).toBe('session_revoked')
    expect(hold.queries.at(-1)).toEqual([ann.sid])
    expect(hold.queries).toHaveLength(SESSION_READS_IN_FLIGHT + 1)
    for (const response of await Promise.all(busy)) expect(response.statusCode).toBe(200)
    await expectProblem(getSession(server, ann.token), 401, 'session_revoked')
  })
})
