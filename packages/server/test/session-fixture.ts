import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { expect } from 'vitest'
import type { EventType } from '../src/events/event-outbox.js'
import type { DialectName } from '../src/store/open-database.js'
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.js'

// What the session route tests share (src/sessions/session-*.test.ts): a server per test, the
// requests they repeat, and the records that revoking a session writes.

/** A server of the test's own, closed when the test finishes. */
export function serve(dialect: DialectName, config?: TestServerOptions['config']): Promise<TestServer> {
  return startTestServer({ dialect, ...(config ? { config } : {}) })
}

export const SECOND = 1000
export const MINUTE = 60 * SECOND

export function bearer(token: string | undefined) {
  return { authorization: `Bearer ${token}` }
}

export function getSession(server: TestServer, token: string | undefined) {
  return server.app.inject({ method: 'GET', url: '/v1/session', headers: bearer(token) })
}

export function listSessions(server: TestServer, token: string | undefined) {
  return server.app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(token) })
}

export async function expectProblem(response: LightMyRequestResponse | Promise<LightMyRequestResponse>, status: number, code: string) {
  const resolved = await response
  expect(resolved.statusCode).toBe(status)
  expect(resolved.json().code).toBe(code)
}

/** The cookie is replaced by an empty one that has already expired, with the attributes it was set with. */
export function expectCookieCleared(server: TestServer, response: LightMyRequestResponse) {
  const cleared = response.cookies.find((cookie) => cookie.name === server.tessera.cookie.name)
  expect(cleared, 'a Set-Cookie for the session cookie').toBeDefined()
  expect(cleared?.value).toBe('')
  const expired = cleared?.maxAge === 0 || (cleared?.expires !== undefined && cleared.expires.getTime() <= Date.now())
  expect(expired, 'Max-Age=0 or an Expires in the past').toBe(true)
  // A `__Host-` cookie is only replaced by one with Secure and Path=/; anything else is ignored by browsers.
  expect(cleared?.path).toBe('/')
  expect(cleared?.secure).toBe(true)
}

export function expectNoCookie(server: TestServer, response: LightMyRequestResponse) {
  expect(response.cookies.find((cookie) => cookie.name === server.tessera.cookie.name)).toBeUndefined()
}

export async function lastSeqs(server: TestServer) {
  const revocations = await server.tessera.stores.revocations.listAfter(0, 10_000)
  const events = await server.tessera.stores.events.listAfter(0, 10_000)
  return { revocation: revocations.at(-1)?.seq ?? 0, event: events.at(-1)?.seq ?? 0 }
}

/** What was written to the revocation log and the outbox after `since`, checking that sequences only rise. */
export async function writtenSince(server: TestServer, since: { revocation: number; event: number }) {
  const revocations = await server.tessera.stores.revocations.listAfter(since.revocation, 10_000)
  const events = await server.tessera.stores.events.listAfter(since.event, 10_000)
  for (const list of [revocations, events]) {
    for (let i = 1; i < list.length; i++) expect(list[i]?.seq).toBeGreaterThan(list[i - 1]?.seq as number)
  }
  return { revocations, events }
}

/** Makes the database refuse one event type, so the transaction that appends it fails at its end. */
export async function failOnEvent(server: TestServer, dialect: DialectName, type: EventType) {
  const db = server.tessera.database.db
  if (dialect === 'sqlite') {
    await sql
      .raw(
        `create trigger fail_outbox before insert on event_outbox when new.type = '${type}' begin select raise(abort, 'injected failure'); end`,
      )
      .execute(db)
  } else {
    await sql
      .raw(`create function fail_outbox() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`)
      .execute(db)
    await sql
      .raw(
        `create trigger fail_outbox before insert on event_outbox for each row when (new.type = '${type}') execute function fail_outbox()`,
      )
      .execute(db)
  }
}

/** On PostgreSQL, holds every transaction that writes the revocation log open a little longer, so two can overlap. */
export async function slowRevocationLog(server: TestServer, dialect: DialectName) {
  // SQLite runs one transaction at a time on its one connection; only PostgreSQL can interleave them.
  if (dialect !== 'postgres') return
  const db = server.tessera.database.db
  await sql
    .raw(`create function slow_log() returns trigger language plpgsql as $$ begin perform pg_sleep(0.3); return new; end $$`)
    .execute(db)
  await sql.raw(`create trigger slow_log before insert on revocation_log for each row execute function slow_log()`).execute(db)
}
