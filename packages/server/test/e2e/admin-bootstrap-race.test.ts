import { describe, expect, it } from 'vitest'
import { ADMIN_AUDIENCE, clientCredentials } from '../admin-client.js'
import { DIALECTS } from '../test-database.js'
import { createTestServer } from '../test-server.js'
import { spawnTessera } from './tessera-process.js'

const RUNS = 3

/**
 * Issue 11 part 9: `tessera admin bootstrap` is one transaction. Several real processes racing on
 * one database (each its own connection, as two operators' shells would be) give exactly one
 * outcome: one admin application holding one `tessera-admin` role, every other run refused.
 */
for (const dialect of DIALECTS) {
  describe(`concurrent tessera admin bootstrap on ${dialect}`, () => {
    it('creates one admin application and one role; every other run is refused and leaves nothing', async ({ onTestFinished }) => {
      const server = await createTestServer({ dialect })
      onTestFinished(() => server.close())
      const env = {
        TESSERA_DATABASE_URL: server.tessera.config.databaseUrl,
        TESSERA_MASTER_KEY: server.tessera.config.masterKey as string,
      }

      const runs = Array.from({ length: RUNS }, () => spawnTessera(['admin', 'bootstrap', '--json'], env))
      const exits = await Promise.all(runs.map((run) => run.exited))
      const outputs = runs.map((run) => run.output())

      const succeeded = outputs.filter((_, i) => exits[i]?.code === 0)
      expect(succeeded, outputs.join('\n')).toHaveLength(1)
      const refused = outputs.filter((_, i) => exits[i]?.code === 1)
      expect(refused, outputs.join('\n')).toHaveLength(RUNS - 1)
      for (const output of refused) expect(JSON.parse(output.trim())).toMatchObject({ error: { code: 'admin_already_bootstrapped' } })

      const printed = JSON.parse((succeeded[0] as string).trim()) as { clientId: string; clientSecret: string }
      for (const output of refused) expect(output).not.toContain(printed.clientSecret)

      // One role, with both permissions; one application for the admin API, and it holds the role.
      const { roles, applications } = server.tessera.services
      const adminRoles = (await roles.list()).filter((role) => role.name === 'tessera-admin')
      expect(adminRoles).toHaveLength(1)
      expect((await roles.get('tessera-admin')).permissions.map((p) => p.permission).sort()).toEqual(['admin:read', 'admin:write'])
      // The built-in console client (a public SPA) also names the admin API; admin clients are m2m.
      const adminApps = (await applications.list()).filter((app) => app.type === 'm2m' && app.apis.includes(ADMIN_AUDIENCE))
      expect(adminApps.map((app) => app.id)).toEqual([printed.clientId])
      expect((await roles.listRolesOfApplication(printed.clientId)).map((role) => role.name)).toEqual(['tessera-admin'])

      // The printed credentials work.
      const token = await clientCredentials(server, printed.clientId, printed.clientSecret, ADMIN_AUDIENCE)
      const users = await server.app.inject({ method: 'GET', url: '/admin/v1/users', headers: { authorization: `Bearer ${token}` } })
      expect(users.statusCode, users.body).toBe(200)
    })
  })
}
