import { describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli, oneJsonObject } from '../../test/cli-harness.js'
import { DIALECTS } from '../../test/test-database.js'

const PASSWORD = 'correct horse battery staple'

for (const dialect of DIALECTS) {
  describe(`tessera CLI: commands that write a revocation exit cleanly on ${dialect}`, () => {
    const fixture = useCliFixture(dialect)

    // Issue 16 part 9: "revocation hub failed … driver has already been destroyed" on every exit.
    it('logs no error after users disable, roles unassign and users delete', async () => {
      const created = await cli(fixture.env, ['users', 'create', '--email', 'ann@example.com', '--password-stdin', '--json'], PASSWORD)
      expect(created.code, created.stderr).toBe(0)
      const userId = (oneJsonObject(created.stdout).user as { id: string }).id
      for (const argv of [
        ['users', 'disable', userId],
        ['roles', 'create', 'member'],
        ['roles', 'assign', 'member', '--user', userId],
        ['roles', 'unassign', 'member', '--user', userId],
        ['users', 'delete', userId],
      ]) {
        const result = await cli(fixture.env, [...argv, '--json'])
        expect(result.code, `${argv.join(' ')}: ${result.stderr}`).toBe(0)
        expect(result.stderr, argv.join(' ')).not.toMatch(/failed|destroyed|error/i)
      }
    })
  })
}
