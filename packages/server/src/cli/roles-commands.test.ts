import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli } from '../../test/cli-harness.js'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { DIALECTS } from '../../test/test-database.js'
import { createTessera } from '../app/tessera.js'
import { loadConfig } from '../config/load-config.js'
import type { RandomSource } from '../shared/random.js'

const API = 'https://api.example.test'
const PASSWORD = 'correct horse battery staple'

interface PresentedRole {
  id: string
  name: string
  description: string
  permissions?: { api: string; permission: string }[]
}

for (const dialect of DIALECTS) {
  describe(`tessera CLI: roles on ${dialect}`, () => {
    const fixture = useCliFixture(dialect)
    const { ok, refused } = fixture

    /** An API with scopes read and write, a user and an m2m application. */
    async function world() {
      await ok(['apis', 'create', '--identifier', API, '--name', 'Orders', '--mode', 'jwt', '--scopes', 'read,write'])
      const user = (await ok(['users', 'create', '--email', 'ann@example.com', '--password-stdin'], PASSWORD)).user as { id: string }
      const m2m = await ok(['apps', 'create', '--name', 'Job', '--type', 'm2m', '--api', API, '--scopes', 'read'])
      const web = await ok(['apps', 'create', '--name', 'Web', '--type', 'web', '--api', API])
      return { userId: user.id, m2mId: m2m.clientId as string, webId: web.clientId as string }
    }

    it('creates, grants, shows, assigns, unassigns and deletes a role, printing one JSON object each time', async () => {
      const { userId, m2mId } = await world()
      const created = (await ok(['roles', 'create', 'editor', '--description', 'edits orders'])).role as PresentedRole
      expect(created).toMatchObject({ id: expect.stringMatching(/^rol_/), name: 'editor', description: 'edits orders' })
      const granted = (await ok(['roles', 'grant', 'editor', API, 'read', 'write'])).role as PresentedRole
      expect(granted.permissions).toEqual([
        { api: API, permission: 'read' },
        { api: API, permission: 'write' },
      ])
      expect(((await ok(['roles', 'list'])).roles as PresentedRole[]).map((role) => role.name)).toEqual(['editor'])
      expect(((await ok(['roles', 'show', created.id])).role as PresentedRole).name).toBe('editor')

      expect(await ok(['roles', 'assign', 'editor', '--user', 'ann@example.com'])).toEqual({ assigned: 'editor', user: 'ann@example.com' })
      expect(await ok(['roles', 'assign', 'editor', '--app', m2mId])).toEqual({ assigned: 'editor', app: m2mId })
      const revoked = (await ok(['roles', 'revoke-permission', 'editor', API, 'write'])).role as PresentedRole
      expect(revoked.permissions).toEqual([{ api: API, permission: 'read' }])
      expect(await ok(['roles', 'unassign', 'editor', '--user', userId])).toEqual({ unassigned: 'editor', user: userId })
      expect(await ok(['roles', 'delete', 'editor'])).toEqual({ deleted: 'editor' })
      expect((await ok(['roles', 'list'])).roles).toEqual([])

      const human = await cli(fixture.env, ['roles', 'list'])
      expect(human.stdout).toBe('No roles.\n')
    })

    it('refuses unknown roles, foreign permissions, duplicate names and wrong holders with their codes', async () => {
      const { m2mId, webId } = await world()
      await ok(['roles', 'create', 'editor'])
      expect(await refused(['roles', 'create', 'editor'])).toEqual({ code: 1, error: 'role_exists' })
      expect(await refused(['roles', 'create', 'Not A Name'])).toEqual({ code: 1, error: 'invalid_request' })
      expect(await refused(['roles', 'show', 'nobody'])).toEqual({ code: 1, error: 'role_not_found' })
      expect(await refused(['roles', 'grant', 'editor', API, 'delete'])).toEqual({ code: 1, error: 'permission_not_found' })
      expect(await refused(['roles', 'grant', 'editor', 'https://unknown.example.test', 'read'])).toEqual({
        code: 1,
        error: 'api_not_found',
      })
      expect(await refused(['roles', 'revoke-permission', 'editor', API, 'read'])).toEqual({ code: 1, error: 'permission_not_found' })
      expect(await refused(['roles', 'assign', 'editor', '--user', 'bob@example.com'])).toEqual({ code: 1, error: 'user_not_found' })
      expect(await refused(['roles', 'assign', 'editor', '--app', webId])).toEqual({ code: 1, error: 'invalid_request' })
      expect(await refused(['roles', 'unassign', 'editor', '--app', m2mId])).toEqual({ code: 1, error: 'role_not_assigned' })
      expect(await refused(['roles', 'assign', 'editor'])).toEqual({ code: 2, error: 'usage' })
      expect(await refused(['roles', 'assign', 'editor', '--user', 'ann@example.com', '--app', m2mId])).toEqual({ code: 2, error: 'usage' })
      expect(await refused(['roles', 'grant', 'editor', API])).toEqual({ code: 2, error: 'usage' })
      expect(((await ok(['roles', 'show', 'editor'])).role as PresentedRole).permissions).toEqual([])
    })

    it('assigns and unassigns a role to an app whose client id starts with a dash, as --app ID and --app=ID (issue 18 part 7)', async () => {
      await world()
      await ok(['roles', 'create', 'editor'])
      // Client ids are base64url: make this one start with '-' (0xF8 encodes as '-'), as one in 64 does.
      const dashing: RandomSource = {
        bytes: (length) => {
          const bytes = randomBytes(length)
          if (length === 16) bytes[0] = 0xf8
          return bytes
        },
      }
      const tessera = await createTessera(loadConfig({ env: fixture.env, overrides: { logLevel: 'silent' } }), {
        random: dashing,
        passwordEstimator: sharedSourcePasswordEstimator(),
      })
      let id: string
      try {
        const { application } = await tessera.services.applications.create({ name: 'Job', type: 'm2m', apis: [API] }, { kind: 'cli' })
        id = application.id
      } finally {
        await tessera.close()
      }
      expect(id.startsWith('-')).toBe(true)

      expect(await ok(['roles', 'assign', 'editor', '--app', id])).toEqual({ assigned: 'editor', app: id })
      expect(await ok(['roles', 'unassign', 'editor', `--app=${id}`])).toEqual({ unassigned: 'editor', app: id })
      // Before the role, between options, or after --json: the id is still the option's value.
      expect(await ok(['roles', 'assign', '--app', id, 'editor'])).toEqual({ assigned: 'editor', app: id })
      expect(await ok(['roles', 'unassign', 'editor', '--json', '--app', id])).toEqual({ unassigned: 'editor', app: id })
      expect(await refused(['roles', 'unassign', 'editor', '--app', id])).toEqual({ code: 1, error: 'role_not_assigned' })
      // A missing value is still a usage error, not the next option taken as the id.
      expect(await refused(['roles', 'unassign', 'editor', '--app'])).toEqual({ code: 2, error: 'usage' })
    })

    it('turns the roles claim of an API on and off', async () => {
      await world()
      expect(((await ok(['apis', 'roles-claim', API, 'on'])).api as { rolesClaim: boolean }).rolesClaim).toBe(true)
      expect(((await ok(['apis', 'roles-claim', API, 'off'])).api as { rolesClaim: boolean }).rolesClaim).toBe(false)
      expect(await refused(['apis', 'roles-claim', API, 'maybe'])).toEqual({ code: 2, error: 'usage' })
      expect(await refused(['apis', 'roles-claim', 'https://unknown.example.test', 'on'])).toEqual({ code: 1, error: 'api_not_found' })
      const created = await ok([
        'apis',
        'create',
        '--identifier',
        'https://b.example.test',
        '--name',
        'B',
        '--mode',
        'jwt',
        '--roles-claim',
      ])
      expect((created.api as { rolesClaim: boolean }).rolesClaim).toBe(true)
    })
  })
}
