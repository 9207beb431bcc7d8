import { describe, expect, it } from 'vitest'
import { API, type Client, createApi, createClient, createUser, refresh, serve, tokensFor } from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { PASSWORD, type TestServer } from '../../test/test-server.js'
import { type Actor, createEventOutbox } from '../events/event-outbox.js'
import type { AuditEntry } from './audit-entry.js'

const ADMIN_IP = '198.51.100.20'
const USER_IP = '203.0.113.7'
const WRONG_PASSWORD = 'not the password at all, clearly'

function credentials(server: TestServer, path: 'sign-up' | 'sign-in', email: string, password: string) {
  return server.app.inject({
    method: 'POST',
    url: `/v1/${path}`,
    remoteAddress: USER_IP,
    headers: { 'user-agent': 'AuditTest/1.0' },
    payload: { email, password, transport: 'bearer' },
  })
}

/** Every stored audit row, raw, as one string: what must never hold a secret. */
async function rawAuditLog(server: TestServer): Promise<string> {
  await server.tessera.services.audit.catchUp()
  return JSON.stringify(await server.tessera.database.db.selectFrom('audit_log').selectAll().execute())
}

async function entries(server: TestServer, action: string): Promise<AuditEntry[]> {
  return (await server.tessera.services.audit.list({ action, limit: 200 })).entries
}

async function only(server: TestServer, action: string): Promise<AuditEntry> {
  const found = await entries(server, action)
  expect(found, action).toHaveLength(1)
  return found[0] as AuditEntry
}

for (const dialect of DIALECTS) {
  describe.concurrent(`audit log on ${dialect}`, () => {
    it('records sign-in success, failure and lockout, with the user, the ip and no password', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect, { signIn: { freeFailures: 2 } })
      const signedUp = await credentials(server, 'sign-up', 'ann@example.com', PASSWORD)
      expect(signedUp.statusCode).toBe(201)
      const userId = signedUp.json().user.id as string
      expect((await credentials(server, 'sign-in', 'ann@example.com', PASSWORD)).statusCode).toBe(200)
      expect((await credentials(server, 'sign-in', 'ann@example.com', WRONG_PASSWORD)).statusCode).toBe(401)
      expect((await credentials(server, 'sign-in', 'ann@example.com', WRONG_PASSWORD)).statusCode).toBe(401)
      expect((await credentials(server, 'sign-in', 'ann@example.com', PASSWORD)).statusCode).toBe(429)

      expect(await only(server, 'user.created')).toMatchObject({
        actor: { kind: 'anonymous', id: null },
        target: { type: 'user', id: userId },
        userId,
        ip: USER_IP,
        detail: { email: 'ann@example.com' },
      })
      expect(await only(server, 'sign_in.succeeded')).toMatchObject({
        actor: { kind: 'user', id: userId },
        target: { type: 'user', id: userId },
        ip: USER_IP,
        detail: { amr: ['pwd'] },
      })
      const failures = await entries(server, 'sign_in.failed')
      expect(failures).toHaveLength(2)
      for (const failure of failures) {
        expect(failure).toMatchObject({ actor: { kind: 'anonymous' }, target: { type: 'user', id: userId }, ip: USER_IP })
        expect(failure.detail).toEqual({ userAgent: 'AuditTest/1.0' })
      }
      expect(await only(server, 'sign_in.locked_out')).toMatchObject({
        actor: { kind: 'anonymous' },
        target: { type: 'user', id: userId },
        ip: USER_IP,
        detail: { failures: 2, lockedUntil: expect.any(Number) },
      })
      expect(await only(server, 'sign_in.throttled')).toMatchObject({ ip: USER_IP })

      const raw = await rawAuditLog(server)
      for (const secret of [PASSWORD, WRONG_PASSWORD, signedUp.json().session.token]) expect(raw).not.toContain(secret)
      const hash = await server.tessera.database.db.selectFrom('password_credentials').select('hash').executeTakeFirstOrThrow()
      expect(raw).not.toContain(hash.hash)
    })

    it('records revoked sessions, refresh-token reuse and key rotation and revocation, and never a token', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server)
      const client: Client = await createClient(server)
      const user = await createUser(server)
      const tokens = await tokensFor(server, client, user)
      const rotated = await refresh(server, client, tokens.refresh_token)
      expect(rotated.statusCode).toBe(200)
      server.clock.advance(60_000) // past the grace window: presenting the first token again is reuse
      expect((await refresh(server, client, tokens.refresh_token)).json().error).toBe('invalid_grant')

      const signOut = await server.app.inject({
        method: 'POST',
        url: '/v1/sign-out',
        remoteAddress: USER_IP,
        headers: { authorization: `Bearer ${user.token}` },
      })
      expect(signOut.statusCode).toBe(204)

      const admin: Actor = { kind: 'user', id: 'usr_admin', ip: ADMIN_IP }
      const { keys } = server.tessera.services
      const next = await keys.rotate({ immediate: true, actor: admin })
      const revoked = await keys.revoke(next.kid, admin)

      expect(await only(server, 'refresh_token.reused')).toMatchObject({
        actor: { kind: 'system', id: null },
        target: { type: 'refresh_token_family', id: expect.any(String) },
        userId: user.id,
        detail: { clientId: client.id, sessionId: user.sessionId },
      })
      const sessionRevoked = await only(server, 'session.revoked')
      expect(sessionRevoked).toMatchObject({
        actor: { kind: 'user', id: user.id },
        target: { type: 'session', id: user.sessionId },
        userId: user.id,
        detail: { reason: expect.any(String) },
      })
      const created = (await entries(server, 'key.created')).find((entry) => entry.target?.id === next.kid)
      expect(created).toMatchObject({ actor: { kind: 'user', id: 'usr_admin' }, ip: ADMIN_IP })
      expect((await entries(server, 'key.rotated')).some((entry) => entry.target?.id === next.kid)).toBe(true)
      expect(await only(server, 'key.revoked')).toMatchObject({
        actor: { kind: 'user', id: 'usr_admin' },
        target: { type: 'key', id: revoked.kid },
        ip: ADMIN_IP,
        detail: { wasState: 'active' },
      })

      const raw = await rawAuditLog(server)
      for (const secret of [tokens.access_token, tokens.refresh_token, rotated.json().refresh_token, user.token, client.secret as string]) {
        expect(raw).not.toContain(secret)
      }
      // Nor the secret half of any opaque token (`<id>.<secret>`): ids may appear, secrets never.
      for (const opaque of [tokens.refresh_token, user.token]) expect(raw).not.toContain(opaque.split('.')[1] as string)
    })

    it('records admin actions with the acting user or application and the ip it acted from', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { roles, applications, users, apis } = server.tessera.services
      const admin: Actor = { kind: 'user', id: 'usr_admin', ip: ADMIN_IP }
      const robot: Actor = { kind: 'application', id: 'app_robot', ip: '192.0.2.1' }
      await createApi(server)
      const user = await createUser(server, 'bob@example.com', { roles: false })
      const { application, clientSecret } = await applications.create({ name: 'Job', type: 'm2m', apis: [API], scopes: ['read'] }, admin)
      const role = await roles.create({ name: 'editor', description: 'edits' }, admin)
      await roles.addPermissions('editor', API, ['read', 'write'], robot)
      await roles.assignToUser('editor', user.id, admin)
      await roles.assignToApplication('editor', application.id, robot)
      await roles.removePermissions('editor', API, ['write'], admin)
      const secret = await applications.rotateSecret(application.id, admin)
      await users.disable(user.id, admin)
      await apis.setRolesClaim(API, true, { kind: 'cli' })

      expect(await only(server, 'application.created')).toMatchObject({
        actor: { kind: 'user', id: 'usr_admin' },
        target: { type: 'application', id: application.id },
        ip: ADMIN_IP,
        detail: { type: 'm2m' },
      })
      expect(await only(server, 'role.created')).toMatchObject({
        target: { type: 'role', id: role.id },
        ip: ADMIN_IP,
        detail: { name: 'editor' },
      })
      const changes = await entries(server, 'role.permissions_changed')
      expect(changes.map((entry) => [entry.actor, entry.ip, entry.detail])).toEqual([
        [{ kind: 'user', id: 'usr_admin' }, ADMIN_IP, { name: 'editor', added: [], removed: [{ api: API, permission: 'write' }] }],
        [
          { kind: 'application', id: 'app_robot' },
          '192.0.2.1',
          {
            name: 'editor',
            added: [
              { api: API, permission: 'read' },
              { api: API, permission: 'write' },
            ],
            removed: [],
          },
        ],
      ])
      expect(await only(server, 'user.roles_changed')).toMatchObject({
        target: { type: 'user', id: user.id },
        userId: user.id,
        detail: { roleId: role.id, name: 'editor', change: 'assigned', roles: ['editor'] },
      })
      expect(await only(server, 'application.roles_changed')).toMatchObject({
        actor: { kind: 'application', id: 'app_robot' },
        target: { type: 'application', id: application.id },
      })
      expect(await only(server, 'user.disabled')).toMatchObject({ target: { type: 'user', id: user.id }, ip: ADMIN_IP })
      expect(await only(server, 'api.updated')).toMatchObject({ actor: { kind: 'cli', id: null }, ip: null, detail: { rolesClaim: true } })
      const raw = await rawAuditLog(server)
      for (const each of [clientSecret as string, secret]) expect(raw).not.toContain(each)
    })

    it('filters by actor, action, user and time, and pages newest first with an opaque cursor', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { roles, audit } = server.tessera.services
      const admin: Actor = { kind: 'user', id: 'usr_admin' }
      const start = server.clock.now()
      for (let index = 0; index < 5; index++) {
        await roles.create({ name: `role-${index}` }, index % 2 === 0 ? admin : { kind: 'cli' })
        server.clock.advance(1000)
      }
      const all = await audit.list({ action: 'role.created', limit: 200 })
      expect(all.entries.map((entry) => entry.detail.name)).toEqual(['role-4', 'role-3', 'role-2', 'role-1', 'role-0'])
      expect(all.nextCursor).toBeNull()

      const byAdmin = await audit.list({ actorKind: 'user', actorId: 'usr_admin', limit: 200 })
      expect(byAdmin.entries.map((entry) => entry.detail.name)).toEqual(['role-4', 'role-2', 'role-0'])
      const byCli = await audit.list({ actorKind: 'cli', action: 'role.created', limit: 200 })
      expect(byCli.entries).toHaveLength(2)
      const window = await audit.list({ since: start + 1000, until: start + 3000, limit: 200 })
      expect(window.entries.map((entry) => entry.detail.name)).toEqual(['role-2', 'role-1'])
      expect((await audit.list({ userId: 'usr_nobody', limit: 200 })).entries).toEqual([])

      const first = await audit.list({ action: 'role.created', limit: 2 })
      expect(first.entries.map((entry) => entry.detail.name)).toEqual(['role-4', 'role-3'])
      expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/)
      const second = await audit.list({ action: 'role.created', limit: 2, cursor: first.nextCursor as string })
      expect(second.entries.map((entry) => entry.detail.name)).toEqual(['role-2', 'role-1'])
      const third = await audit.list({ action: 'role.created', limit: 2, cursor: second.nextCursor as string })
      expect(third.entries.map((entry) => entry.detail.name)).toEqual(['role-0'])
      expect(third.nextCursor).toBeNull()
    })

    it('refuses garbage cursors, oversized pages and bad filters with typed errors', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { audit } = server.tessera.services
      const canonical = Buffer.from('5').toString('base64url')
      for (const cursor of [
        '',
        'not a cursor',
        '!!!',
        Buffer.from('abc').toString('base64url'),
        Buffer.from('0').toString('base64url'),
        `${canonical}=`,
        Buffer.from('-1').toString('base64url'),
        Buffer.from('05').toString('base64url'),
        'A'.repeat(200),
        '__proto__',
      ]) {
        await expect(audit.list({ cursor, limit: 10 }), cursor).rejects.toMatchObject({ code: 'invalid_cursor', status: 400 })
      }
      for (const limit of [0, 201, 1.5, -1, Number.NaN]) {
        await expect(audit.list({ limit }), String(limit)).rejects.toMatchObject({ code: 'invalid_request' })
      }
      await expect(audit.list({ limit: 10, actorKind: 'robot' as 'user' })).rejects.toMatchObject({ code: 'invalid_request' })
      await expect(audit.list({ limit: 10, since: -5 })).rejects.toMatchObject({ code: 'invalid_request' })
      await expect(audit.list({ limit: 10, action: 'x'.repeat(600) })).rejects.toMatchObject({ code: 'invalid_request' })
      expect(await audit.list({ cursor: canonical, limit: 10 })).toEqual({ entries: expect.any(Array), nextCursor: null })
    })

    it('projects each event once, however often and from however many callers the projection runs', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { roles, audit } = server.tessera.services
      for (let index = 0; index < 3; index++) await roles.create({ name: `role-${index}` }, { kind: 'cli' })
      await Promise.all([audit.catchUp(), audit.catchUp(), audit.catchUp()])
      await audit.catchUp()
      const count = async () => (await server.tessera.database.db.selectFrom('audit_log').select('seq').execute()).length
      const outbox = (await server.tessera.database.db.selectFrom('event_outbox').select('seq').execute()).length
      expect(await count()).toBe(outbox)
      await roles.create({ name: 'late' }, { kind: 'cli' })
      expect((await audit.list({ action: 'role.created', limit: 1 })).entries[0]?.detail.name).toBe('late')
      expect(await count()).toBe(outbox + 1)
    })
  })
}

describe('audit projection on PostgreSQL, where events commit out of sequence order', () => {
  it('shows events committed after a still-open earlier one, and the earlier one once it commits', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'postgres')
    const { audit } = server.tessera.services
    const db = server.tessera.database.db
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let held: (seq: number) => void = () => {}
    const heldSeq = new Promise<number>((resolve) => {
      held = resolve
    })
    // A transaction takes a seq and stays open...
    const slow = db.transaction().execute(async (trx) => {
      const seq = await createEventOutbox(trx).append({
        type: 'role.created',
        actor: { kind: 'cli' },
        userId: null,
        payload: { roleId: 'rol_slow', name: 'slow' },
        ip: null,
        createdAt: server.clock.now(),
      })
      held(seq)
      await gate
    })
    const slowSeq = await heldSeq
    // ...while a later one commits.
    await server.tessera.services.roles.create({ name: 'fast' }, { kind: 'cli' })
    const before = await audit.list({ action: 'role.created', limit: 10 })
    expect(before.entries.map((entry) => entry.detail.name)).toEqual(['fast'])
    expect(before.entries[0]?.seq).toBeGreaterThan(slowSeq)

    release()
    await slow
    const after = await audit.list({ action: 'role.created', limit: 10 })
    expect(after.entries.map((entry) => entry.detail.name)).toEqual(['fast', 'slow'])
  })
})
