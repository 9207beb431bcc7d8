import { describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli, jsonErrorCode } from '../../test/cli-harness.js'
import { DIALECTS } from '../../test/test-database.js'

const PASSWORD = 'correct horse battery staple'

interface PresentedEntry {
  id: string
  occurredAt: string
  actor: { kind: string; id: string | null }
  action: string
  target: { type: string; id: string } | null
  userId: string | null
  ip: string | null
  detail: Record<string, unknown>
}

for (const dialect of DIALECTS) {
  describe(`tessera CLI: audit list on ${dialect}`, () => {
    const fixture = useCliFixture(dialect)
    const { ok } = fixture

    it('lists what the CLI did, newest first, filtered by user and action, page by page', async () => {
      const user = (await ok(['users', 'create', '--email', 'ann@example.com', '--password-stdin'], PASSWORD)).user as { id: string }
      await ok(['roles', 'create', 'editor'])
      await ok(['roles', 'assign', 'editor', '--user', 'ann@example.com'])
      await ok(['users', 'disable', 'ann@example.com'])

      const all = await ok(['audit', 'list'])
      const actions = (all.entries as PresentedEntry[]).map((entry) => entry.action)
      expect(actions.slice(0, 3)).toEqual(['user.disabled', 'user.sessions_revoked', 'user.roles_changed'])
      expect(actions).toContain('user.created')
      for (const entry of all.entries as PresentedEntry[]) {
        if (entry.action.startsWith('key.')) continue // the key schedule acts as the system
        expect(entry.actor).toEqual({ kind: 'cli', id: null })
      }

      const aboutAnn = await ok(['audit', 'list', '--user', 'ann@example.com', '--action', 'user.roles_changed'])
      expect(aboutAnn.entries).toEqual([
        expect.objectContaining({
          action: 'user.roles_changed',
          userId: user.id,
          target: { type: 'user', id: user.id },
          detail: expect.objectContaining({ name: 'editor', change: 'assigned' }),
        }),
      ])
      expect(aboutAnn.nextCursor).toBeNull()

      const first = await ok(['audit', 'list', '--user', user.id, '--limit', '1'])
      expect((first.entries as PresentedEntry[]).map((entry) => entry.action)).toEqual(['user.disabled'])
      const second = await ok(['audit', 'list', '--user', user.id, '--limit', '1', '--cursor', first.nextCursor as string])
      expect((second.entries as PresentedEntry[]).map((entry) => entry.action)).toEqual(['user.sessions_revoked'])

      const human = await cli(fixture.env, ['audit', 'list', '--limit', '1'])
      expect(human.code).toBe(0)
      expect(human.stdout).toMatch(/user\.disabled/)
      expect(human.stdout).toMatch(/more: --cursor /)
      expect(human.stdout).not.toContain(PASSWORD)
    })

    it('refuses a bad cursor, an oversized page and an unknown user', async () => {
      const refused = async (argv: string[]) => {
        const result = await cli(fixture.env, [...argv, '--json'])
        return { code: result.code, error: jsonErrorCode(result) }
      }
      expect(await refused(['audit', 'list', '--cursor', 'garbage!'])).toEqual({ code: 1, error: 'invalid_cursor' })
      expect(await refused(['audit', 'list', '--limit', '201'])).toEqual({ code: 2, error: 'usage' })
      expect(await refused(['audit', 'list', '--user', 'nobody@example.com'])).toEqual({ code: 1, error: 'user_not_found' })
      expect(await refused(['audit', 'list', '--actor-kind', 'robot'])).toEqual({ code: 1, error: 'invalid_request' })
    })
  })
}
