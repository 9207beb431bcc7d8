import { sql } from 'kysely'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { API, CLI, createApi, createClient, createUser, OTHER_API, serve } from '../../test/oauth-fixture.js'
import { DIALECTS, TEST_POSTGRES_URL } from '../../test/test-database.js'
import type { TestServer } from '../../test/test-server.js'
import { bindStores } from '../app/stores.js'
import type { StoredEvent } from '../events/event-outbox.js'
import { createTransactionRunner } from '../store/transaction.js'
import { toWebhookPayload } from '../webhooks/webhook-events.js'

/** What a failed call must leave untouched: roles, grants, assignments, the outbox and the revocation log. */
async function snapshot(server: TestServer) {
  const db = server.tessera.database.db
  return {
    roles: await db.selectFrom('roles').selectAll().orderBy('id').execute(),
    permissions: await db.selectFrom('role_permissions').selectAll().orderBy('role_id').orderBy('permission').execute(),
    users: await db.selectFrom('user_roles').selectAll().orderBy('user_id').execute(),
    applications: await db.selectFrom('application_roles').selectAll().orderBy('application_id').execute(),
    events: (await db.selectFrom('event_outbox').select('seq').execute()).length,
    revocations: (await db.selectFrom('revocation_log').select('seq').execute()).length,
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return (error as { code: string }).code
  }
  throw new Error('expected a refusal')
}

async function eventsOf(server: TestServer, type: string) {
  return (await server.tessera.stores.events.listAfter(0, 1000)).filter((event) => event.type === type)
}

for (const dialect of DIALECTS) {
  describe.concurrent(`role service on ${dialect}`, () => {
    it('creates, lists, finds by id or name, renames and deletes a role, each with an outbox event', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { roles } = server.tessera.services
      const editor = await roles.create({ name: 'editor', description: 'writes articles' }, CLI)
      expect(editor).toMatchObject({ id: expect.stringMatching(/^rol_/), name: 'editor', description: 'writes articles' })
      await roles.create({ name: 'viewer' }, CLI)
      expect((await roles.list()).map((role) => role.name)).toEqual(['editor', 'viewer'])
      expect(await roles.get(editor.id)).toEqual({ ...editor, permissions: [] })
      expect(await roles.get('editor')).toEqual({ ...editor, permissions: [] })

      server.clock.advance(1000)
      const renamed = await roles.update('editor', { name: 'author' }, { kind: 'user', id: 'usr_admin' })
      expect(renamed).toMatchObject({ id: editor.id, name: 'author', description: 'writes articles', updatedAt: server.clock.now() })
      expect(await codeOf(roles.get('editor'))).toBe('role_not_found')
      await roles.delete(editor.id, CLI)
      expect((await roles.list()).map((role) => role.name)).toEqual(['viewer'])

      expect((await eventsOf(server, 'role.created')).map((event) => event.payload.name)).toEqual(['editor', 'viewer'])
      const [updated] = await eventsOf(server, 'role.updated')
      expect(updated).toMatchObject({
        actor: { kind: 'user', id: 'usr_admin' },
        payload: { roleId: editor.id, name: 'author', previousName: 'editor' },
      })
      expect((await eventsOf(server, 'role.deleted'))[0]?.payload).toMatchObject({ roleId: editor.id, name: 'author' })
    })

    it('refuses duplicate names, malformed names and unknown roles, and changes nothing', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { roles } = server.tessera.services
      await roles.create({ name: 'editor' }, CLI)
      await roles.create({ name: 'viewer' }, CLI)
      const before = await snapshot(server)
      expect(await codeOf(roles.create({ name: 'editor' }, CLI))).toBe('role_exists')
      expect(await codeOf(roles.update('viewer', { name: 'editor' }, CLI))).toBe('role_exists')
      for (const name of ['', 'Editor', 'has space', 'rol_lookslikeanid', '-dash', 'x'.repeat(65), '__proto__']) {
        expect(await codeOf(roles.create({ name }, CLI)), name).toBe('invalid_request')
      }
      expect(await codeOf(roles.create({ name: 'long', description: 'x'.repeat(501) }, CLI))).toBe('invalid_request')
      expect(await codeOf(roles.update('viewer', {}, CLI))).toBe('invalid_request')
      for (const unknown of ['nobody', 'rol_000000000000000', API]) {
        expect(await codeOf(roles.get(unknown))).toBe('role_not_found')
        expect(await codeOf(roles.delete(unknown, CLI))).toBe('role_not_found')
        expect(await codeOf(roles.update(unknown, { description: 'x' }, CLI))).toBe('role_not_found')
      }
      expect(await snapshot(server)).toEqual(before)
    })

    it('grants permissions that exist on their API, across several APIs, and refuses any that do not', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { roles } = server.tessera.services
      await createApi(server)
      await createApi(server, OTHER_API, 'hybrid', ['orders:read'])
      await roles.create({ name: 'editor' }, CLI)
      await roles.addPermissions('editor', API, ['read', 'write'], CLI)
      const role = await roles.addPermissions('editor', OTHER_API, ['orders:read'], CLI)
      expect(role.permissions).toEqual([
        { api: API, permission: 'read' },
        { api: API, permission: 'write' },
        { api: OTHER_API, permission: 'orders:read' },
      ])
      // Granting what the role already holds changes nothing and records nothing.
      const events = (await eventsOf(server, 'role.permissions_changed')).length
      await roles.addPermissions('editor', API, ['read'], CLI)
      expect(await eventsOf(server, 'role.permissions_changed')).toHaveLength(events)

      const before = await snapshot(server)
      expect(await codeOf(roles.addPermissions('editor', API, ['read', 'delete'], CLI))).toBe('permission_not_found')
      expect(await codeOf(roles.addPermissions('editor', API, ['orders:read'], CLI))).toBe('permission_not_found')
      expect(await codeOf(roles.addPermissions('editor', 'https://unknown.example.test', ['read'], CLI))).toBe('api_not_found')
      expect(await codeOf(roles.addPermissions('editor', API, [], CLI))).toBe('invalid_request')
      expect(await codeOf(roles.addPermissions('nobody', API, ['read'], CLI))).toBe('role_not_found')
      expect(await codeOf(roles.removePermissions('editor', API, ['admin'], CLI))).toBe('permission_not_found')
      expect(await snapshot(server)).toEqual(before)
    })

    it('assigns roles to users and m2m applications, and refuses unknown holders and ids of other objects', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { roles } = server.tessera.services
      await createApi(server)
      const user = await createUser(server, 'ann@example.com', { roles: false })
      const m2m = await createClient(server, { type: 'm2m', roles: false })
      const web = await createClient(server)
      const editor = await roles.create({ name: 'editor' }, CLI)
      await roles.create({ name: 'viewer' }, CLI)
      await roles.assignToUser('editor', user.id, CLI)
      await roles.assignToUser('viewer', user.id, CLI)
      await roles.assignToUser('viewer', user.id, CLI) // already held: nothing changes
      await roles.assignToApplication(editor.id, m2m.id, CLI)
      expect((await roles.listRolesOfUser(user.id)).map((role) => role.name)).toEqual(['editor', 'viewer'])
      expect((await roles.listRolesOfApplication(m2m.id)).map((role) => role.name)).toEqual(['editor'])
      const changes = await eventsOf(server, 'user.roles_changed')
      // Each says what the user holds now, which the user.roles_changed webhook publishes.
      expect(changes.map((event) => [event.userId, event.payload.name, event.payload.change, event.payload.roles])).toEqual([
        [user.id, 'editor', 'assigned', ['editor']],
        [user.id, 'viewer', 'assigned', ['editor', 'viewer']],
      ])
      expect(toWebhookPayload(changes[1] as StoredEvent)?.data).toEqual({ userId: user.id, roles: ['editor', 'viewer'] })
      expect((await eventsOf(server, 'application.roles_changed'))[0]?.payload).toMatchObject({ clientId: m2m.id, change: 'assigned' })

      const before = await snapshot(server)
      expect(await codeOf(roles.assignToUser('editor', 'usr_nobody', CLI))).toBe('user_not_found')
      expect(await codeOf(roles.assignToUser('editor', m2m.id, CLI))).toBe('user_not_found') // a client id is not a user id
      expect(await codeOf(roles.assignToApplication('editor', user.id, CLI))).toBe('application_not_found') // nor the reverse
      expect(await codeOf(roles.assignToApplication('editor', web.id, CLI))).toBe('invalid_request') // only m2m clients act for themselves
      expect(await codeOf(roles.assignToUser('nobody', user.id, CLI))).toBe('role_not_found')
      expect(await codeOf(roles.assignToUser(user.id, user.id, CLI))).toBe('role_not_found') // a user id is not a role
      expect(await codeOf(roles.unassignFromApplication('viewer', m2m.id, CLI))).toBe('role_not_assigned')
      expect(await codeOf(roles.listRolesOfUser(m2m.id))).toBe('user_not_found')
      expect(await codeOf(roles.listRolesOfApplication(user.id))).toBe('application_not_found')
      expect(await snapshot(server)).toEqual(before)
    })

    it("computes a subject's permissions on one API from all its roles, and only for that API", async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { roles } = server.tessera.services
      await createApi(server)
      await createApi(server, OTHER_API, 'jwt', ['orders:read'])
      const user = await createUser(server, 'ann@example.com', { roles: false })
      await roles.create({ name: 'reader' }, CLI)
      await roles.create({ name: 'writer' }, CLI)
      await roles.create({ name: 'shopper' }, CLI)
      await roles.addPermissions('reader', API, ['read'], CLI)
      await roles.addPermissions('writer', API, ['read', 'write'], CLI)
      await roles.addPermissions('shopper', OTHER_API, ['orders:read'], CLI)
      for (const role of ['reader', 'writer', 'shopper']) await roles.assignToUser(role, user.id, CLI)
      const stores = server.tessera.stores
      expect(await roles.permissionsFor(stores, { kind: 'user', id: user.id }, API)).toEqual({
        permissions: ['read', 'write'],
        roles: ['reader', 'writer'],
      })
      expect(await roles.permissionsFor(stores, { kind: 'user', id: user.id }, OTHER_API)).toEqual({
        permissions: ['orders:read'],
        roles: ['shopper'],
      })
      expect(await roles.permissionsFor(stores, { kind: 'application', id: user.id }, API)).toEqual({ permissions: [], roles: [] })
      // Deleting an API takes its permissions out of every role.
      await server.tessera.services.apis.delete(OTHER_API, CLI)
      expect((await roles.get('shopper')).permissions).toEqual([])
    })

    it("raises holders' token versions and cuts off m2m clients when a permission can be lost, and never when one is gained", async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { roles, users } = server.tessera.services
      await createApi(server)
      const ann = await createUser(server, 'ann@example.com', { roles: false })
      const bob = await createUser(server, 'bob@example.com', { roles: false })
      const m2m = await createClient(server, { type: 'm2m', roles: false })
      const version = async (id: string) => (await users.get(id)).tokenVersion
      const log = async () => (await server.tessera.stores.revocations.listAfter(0, 1000)).map((each) => each.entry)

      await roles.create({ name: 'editor' }, CLI)
      await roles.create({ name: 'empty' }, CLI)
      await roles.addPermissions('editor', API, ['read', 'write'], CLI)
      for (const id of [ann.id, bob.id]) await roles.assignToUser('editor', id, CLI)
      await roles.assignToApplication('editor', m2m.id, CLI)
      await roles.assignToUser('empty', ann.id, CLI)
      await roles.addPermissions('editor', API, ['admin'], CLI)
      expect([await version(ann.id), await version(bob.id)]).toEqual([1, 1])
      expect(await log()).toEqual([])

      // A role that grants nothing takes nothing away.
      await roles.unassignFromUser('empty', ann.id, CLI)
      expect(await version(ann.id)).toBe(1)

      await roles.unassignFromUser('editor', bob.id, CLI)
      expect([await version(ann.id), await version(bob.id)]).toEqual([1, 2])
      expect(await log()).toEqual([{ kind: 'user_token_version', sub: bob.id, minTokenVersion: 2 }])

      await roles.removePermissions('editor', API, ['admin'], CLI)
      expect(await version(ann.id)).toBe(2)
      expect((await log()).slice(1)).toEqual([
        { kind: 'user_token_version', sub: ann.id, minTokenVersion: 2 },
        { kind: 'client', clientId: m2m.id },
      ])

      await roles.update('editor', { description: 'only the text changes' }, CLI)
      expect(await version(ann.id)).toBe(2)
      await roles.update('editor', { name: 'writer' }, CLI) // the roles claim names it: a rename cuts off
      expect(await version(ann.id)).toBe(3)

      await roles.delete('writer', CLI)
      expect(await version(ann.id)).toBe(4)
      expect((await log()).slice(-2)).toEqual([
        { kind: 'user_token_version', sub: ann.id, minTokenVersion: 4 },
        { kind: 'client', clientId: m2m.id },
      ])
      expect(await roles.listRolesOfUser(ann.id)).toEqual([])
    })
  })
}

describe('role creation racing on PostgreSQL', () => {
  it('maps the unique violation of a concurrent create with the same name to role_exists', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'postgres')
    const { database } = server.tessera
    const { roles } = server.tessera.services
    // A transaction that has inserted the role but not committed, and the backend that holds it.
    const bind = bindStores(database.dialect)
    const raw = createTransactionRunner(database.db, (trx, scope) => ({ trx, stores: bind(trx, scope) }))
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let holder = 0
    let inserted: () => void = () => {}
    const insertedOnce = new Promise<void>((resolve) => {
      inserted = resolve
    })
    const first = raw(async ({ trx, stores }) => {
      holder = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]?.pid as number
      await roles.createIn(stores, { name: 'editor' }, CLI)
      inserted()
      await gate
    })
    await insertedOnce
    // The second create finds no committed 'editor', inserts, and waits on the first's unique-index entry.
    const second = codeOf(roles.create({ name: 'editor' }, CLI))
    const watcher = new pg.Client({ connectionString: TEST_POSTGRES_URL })
    await watcher.connect()
    onTestFinished(() => watcher.end())
    for (;;) {
      const blocked = await watcher.query('select count(*)::int as n from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [holder])
      if ((blocked.rows[0] as { n: number }).n > 0) break
    }
    release()
    await first
    expect(await second).toBe('role_exists')
    expect((await roles.list()).filter((role) => role.name === 'editor')).toHaveLength(1)
  })
})
