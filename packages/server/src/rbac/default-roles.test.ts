import { rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { adminHarness } from '../../test/admin-client.js'
import { cli, jsonErrorCode, oneJsonObject } from '../../test/cli-harness.js'
import { authorizeUrl, Browser, codeRequest, createClient, hiddenFields, location, pkce, serve } from '../../test/oidc-fixture.js'
import { createTestDatabase, testTempDir } from '../../test/test-database.js'
import { PASSWORD, signUp } from '../../test/test-server.js'
import { openDatabase } from '../store/open-database.js'

const API = 'https://api.example.test'
const CLI = { kind: 'cli' } as const

/** Issue 16 part 8: roles marked default are given at sign-up, by every path that creates an account. */
describe('default roles', () => {
  it('are given by JSON sign-up, the hosted sign-up page and the admin API, each with its roles_changed event', async ({
    onTestFinished,
  }) => {
    const admin = await adminHarness(onTestFinished)
    const { server } = admin
    await admin.call('POST', '/apis', { payload: { identifier: API, name: 'Orders', mode: 'jwt', scopes: ['read', 'write'] } })
    const created = await admin.call('POST', '/roles', { payload: { name: 'member', default: true } })
    expect(created.statusCode).toBe(201)
    expect(created.json().role.default).toBe(true)
    await server.tessera.services.roles.addPermissions('member', API, ['read'], CLI)
    await server.tessera.services.roles.create({ name: 'staff' }, CLI)

    const json = await signUp(server.app, 'json@example.com', { transport: 'bearer' })
    const viaAdmin = await admin.call('POST', '/users', { payload: { email: 'admin-made@example.com', password: PASSWORD } })
    expect(viaAdmin.statusCode).toBe(201)

    const client = await createClient(server)
    const browser = new Browser(server.app)
    const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    const page = await browser.get(`/ui/sign-up${next.search}`)
    const back = location(
      await browser.post('/ui/sign-up', { ...hiddenFields(page.body), email: 'hosted@example.com', password: PASSWORD }),
    )
    expect(back.searchParams.get('code')).toBeTruthy()

    for (const id of [
      json.body.user?.id as string,
      viaAdmin.json().user.id,
      (await server.tessera.services.users.get('hosted@example.com')).id,
    ]) {
      const held = await server.tessera.services.roles.listRolesOfUser(id)
      expect(held.map((role) => role.name)).toEqual(['member'])
      // The same transaction wrote the assignment's event, so webhooks and the audit log see it.
      const roles = await admin.call('GET', `/users/${id}/roles`)
      expect(roles.json().roles.map((role: { name: string }) => role.name)).toEqual(['member'])
    }
    const events = await server.tessera.database.db
      .selectFrom('event_outbox')
      .select(['type', 'user_id'])
      .where('type', '=', 'user.roles_changed')
      .execute()
    expect(events).toHaveLength(3)
  })

  it('changes only accounts created afterwards: marking a role default gives existing users nothing, unmarking it stops new grants', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    const roles = server.tessera.services.roles
    await roles.create({ name: 'member' }, CLI)
    const before = await signUp(server.app, 'before@example.com', { transport: 'bearer' })
    await roles.update('member', { default: true }, CLI)
    const during = await signUp(server.app, 'during@example.com', { transport: 'bearer' })
    await roles.update('member', { default: false }, CLI)
    const after = await signUp(server.app, 'after@example.com', { transport: 'bearer' })
    expect(await roles.listRolesOfUser(before.body.user?.id as string)).toEqual([])
    expect((await roles.listRolesOfUser(during.body.user?.id as string)).map((role) => role.name)).toEqual(['member'])
    expect(await roles.listRolesOfUser(after.body.user?.id as string)).toEqual([])
  })

  it('assigns nothing when the sign-up fails', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await server.tessera.services.roles.create({ name: 'member', default: true }, CLI)
    await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
    const taken = await server.app.inject({
      method: 'POST',
      url: '/v1/sign-up',
      payload: { email: 'ann@example.com', password: PASSWORD, transport: 'bearer' },
    })
    expect(taken.statusCode).toBe(409)
    const holders = await server.tessera.database.db.selectFrom('user_roles').selectAll().execute()
    expect(holders).toHaveLength(1)
  })

  it('refuses a malformed default flag in the admin API and changes nothing', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const bad = await admin.call('POST', '/roles', { payload: { name: 'member', default: 'yes' } })
    expect(bad.statusCode).toBe(400)
    expect((await admin.call('GET', '/roles')).json().roles.some((role: { name: string }) => role.name === 'member')).toBe(false)
    await admin.call('POST', '/roles', { payload: { name: 'member' } })
    const roleId = (await admin.call('GET', '/roles')).json().roles.find((role: { name: string }) => role.name === 'member').id
    expect((await admin.call('PATCH', `/roles/${roleId}`, { payload: { default: 1 } })).statusCode).toBe(400)
    const patched = await admin.call('PATCH', `/roles/${roleId}`, { payload: { default: true } })
    expect(patched.json().role.default).toBe(true)
  })

  it('are given by the CLI (users create), set with roles create --default and roles update --default', async () => {
    const database = createTestDatabase('sqlite')
    const dataDir = testTempDir('tessera-cli-')
    const env = { TESSERA_DATABASE_URL: database.url, TESSERA_DATA_DIR: dataDir }
    try {
      const ok = async (argv: string[], stdin = '') => {
        const result = await cli(env, [...argv, '--json'], stdin)
        expect(result.code, result.stderr).toBe(0)
        return oneJsonObject(result.stdout)
      }
      expect(((await ok(['roles', 'create', 'member', '--default'])).role as { default: boolean }).default).toBe(true)
      await ok(['roles', 'create', 'staff'])
      const ann = (await ok(['users', 'create', '--email', 'ann@example.com', '--password-stdin'], PASSWORD)).user as { id: string }
      const bad = await cli(env, ['roles', 'update', 'member', '--default', 'maybe', '--json'])
      expect(bad.code).not.toBe(0)
      expect(jsonErrorCode(bad)).toBeTruthy()
      expect(((await ok(['roles', 'update', 'member', '--default', 'false'])).role as { default: boolean }).default).toBe(false)
      const bob = (await ok(['users', 'create', '--email', 'bob@example.com', '--password-stdin'], PASSWORD)).user as { id: string }
      const listed = (await ok(['roles', 'show', 'member'])).role as { default: boolean }
      expect(listed.default).toBe(false)
      const database2 = openDatabase(database.url)
      try {
        const holders = await database2.db
          .selectFrom('user_roles')
          .innerJoin('roles', 'roles.id', 'user_roles.role_id')
          .select(['user_id', 'roles.name'])
          .execute()
        expect(holders).toEqual([{ user_id: ann.id, name: 'member' }])
        expect(holders.some((row) => row.user_id === bob.id)).toBe(false)
      } finally {
        await database2.db.destroy()
      }
    } finally {
      await database.drop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
