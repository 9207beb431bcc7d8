import { describe, expect, it } from 'vitest'
import { ADMIN_AUDIENCE, clientCredentials } from '../../test/admin-client.js'
import { cli, jsonErrorCode, oneJsonObject } from '../../test/cli-harness.js'
import { DIALECTS } from '../../test/test-database.js'
import { createTestServer, signUp } from '../../test/test-server.js'

for (const dialect of DIALECTS) {
  describe(`tessera admin bootstrap on ${dialect}`, () => {
    it('creates the first admin application once, and the second run refuses without printing a secret', async ({ onTestFinished }) => {
      const server = await createTestServer({ dialect })
      onTestFinished(() => server.close())
      const env = { TESSERA_DATABASE_URL: server.tessera.config.databaseUrl, TESSERA_MASTER_KEY: server.tessera.config.masterKey }

      const first = await cli(env, ['admin', 'bootstrap', '--json'])
      expect(first.code, first.stderr).toBe(0)
      const printed = oneJsonObject(first.stdout)
      expect(Object.keys(printed).sort()).toEqual(['audience', 'clientId', 'clientSecret'])
      expect(printed.audience).toBe(ADMIN_AUDIENCE)

      // The printed credentials get an admin token, and the token works.
      const token = await clientCredentials(server, printed.clientId as string, printed.clientSecret as string, ADMIN_AUDIENCE)
      const users = await server.app.inject({ method: 'GET', url: '/admin/v1/users', headers: { authorization: `Bearer ${token}` } })
      expect(users.statusCode, users.body).toBe(200)

      const second = await cli(env, ['admin', 'bootstrap', '--json'])
      expect(second.code).toBe(1)
      expect(jsonErrorCode(second)).toBe('admin_already_bootstrapped')
      expect(second.stderr).not.toContain(printed.clientSecret as string)
      const apps = await server.tessera.services.applications.list()
      expect(apps.filter((app) => app.type === 'm2m' && app.apis.includes(ADMIN_AUDIENCE))).toHaveLength(1)
    })
  })
}

describe('tessera admin bootstrap', () => {
  it('prints the secret once in human form, with how to get a token', async ({ onTestFinished }) => {
    const server = await createTestServer()
    onTestFinished(() => server.close())
    const env = { TESSERA_DATABASE_URL: server.tessera.config.databaseUrl, TESSERA_MASTER_KEY: server.tessera.config.masterKey }
    const result = await cli(env, ['admin', 'bootstrap'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/client_secret: \S+/)
    expect(result.stdout).toContain('urn:tessera:admin')
    const again = await cli(env, ['admin', 'bootstrap'])
    expect(again.code).toBe(1)
    expect(again.stdout).toBe('')
    expect(again.stderr).toMatch(/already exists/)
  })
})

describe('tessera admin grant', () => {
  it('gives a user tessera-admin (or tessera-admin-read), creating the role once; a second grant changes nothing', async ({
    onTestFinished,
  }) => {
    const server = await createTestServer()
    onTestFinished(() => server.close())
    const env = {
      TESSERA_DATABASE_URL: server.tessera.config.databaseUrl,
      TESSERA_MASTER_KEY: server.tessera.config.masterKey,
      TESSERA_ISSUER: 'https://id.example.test',
    }
    const { body } = await signUp(server.app, 'root@example.com', { transport: 'bearer' })
    const userId = body.user?.id as string

    const granted = await cli(env, ['admin', 'grant', '--user', 'root@example.com', '--json'])
    expect(granted.code, granted.stderr).toBe(0)
    expect(oneJsonObject(granted.stdout)).toEqual({
      userId,
      email: 'root@example.com',
      role: 'tessera-admin',
      console: 'https://id.example.test/console/',
    })
    expect((await cli(env, ['admin', 'grant', '--user', userId, '--json'])).code).toBe(0)
    const { roles } = server.tessera.services
    const role = await roles.get('tessera-admin')
    expect(role.permissions.map((p) => p.permission).sort()).toEqual(['admin:read', 'admin:write'])
    expect((await roles.listRolesOfUser(userId)).map((held) => held.name)).toEqual(['tessera-admin'])

    const reader = await cli(env, ['admin', 'grant', '--user', 'root@example.com', '--read-only'])
    expect(reader.code, reader.stderr).toBe(0)
    expect(reader.stdout).toContain('tessera-admin-read')
    expect((await roles.get('tessera-admin-read')).permissions.map((p) => p.permission)).toEqual(['admin:read'])
  })

  it('refuses an unknown user and a missing --user with the CLI codes', async ({ onTestFinished }) => {
    const server = await createTestServer()
    onTestFinished(() => server.close())
    const env = { TESSERA_DATABASE_URL: server.tessera.config.databaseUrl, TESSERA_MASTER_KEY: server.tessera.config.masterKey }
    const unknown = await cli(env, ['admin', 'grant', '--user', 'nobody@example.com', '--json'])
    expect(unknown.code).toBe(1)
    expect(jsonErrorCode(unknown)).toBe('user_not_found')
    expect((await cli(env, ['admin', 'grant'])).code).toBe(2)
  })
})
