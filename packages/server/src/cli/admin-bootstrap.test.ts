import { describe, expect, it } from 'vitest'
import { ADMIN_AUDIENCE, clientCredentials } from '../../test/admin-client.js'
import { cli, jsonErrorCode, oneJsonObject } from '../../test/cli-harness.js'
import { DIALECTS } from '../../test/test-database.js'
import { createTestServer } from '../../test/test-server.js'

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
      expect(apps.filter((app) => app.apis.includes(ADMIN_AUDIENCE))).toHaveLength(1)
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
