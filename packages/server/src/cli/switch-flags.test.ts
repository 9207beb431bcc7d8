import { describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli, jsonErrorCode } from '../../test/cli-harness.js'

const API = 'https://api.example.test'

/** Issue 16 loose end: every switch that takes a value is spelled on|off, with true|false accepted as an alias. */
describe('tessera CLI: switches', () => {
  const fixture = useCliFixture()
  const { ok } = fixture

  async function usage(argv: string[]): Promise<string> {
    const result = await cli(fixture.env, [...argv, '--json'])
    expect(result.code).toBe(2)
    expect(jsonErrorCode(result)).toBe('usage')
    return result.stderr
  }

  it('apis roles-claim and require-dpop take on|off and true|false, and refuse anything else', async () => {
    await ok(['apis', 'create', '--identifier', API, '--name', 'Orders', '--mode', 'jwt'])
    const api = async (argv: string[]) => (await ok(argv)).api as { rolesClaim: boolean; requireDpop: boolean }
    expect((await api(['apis', 'roles-claim', API, 'true'])).rolesClaim).toBe(true)
    expect((await api(['apis', 'roles-claim', API, 'off'])).rolesClaim).toBe(false)
    expect((await api(['apis', 'require-dpop', API, 'TRUE'])).requireDpop).toBe(true)
    expect((await api(['apis', 'require-dpop', API, 'false'])).requireDpop).toBe(false)
    expect(await usage(['apis', 'roles-claim', API, 'yes'])).toMatch(/takes on or off/)
    expect(await usage(['apis', 'require-dpop', API, '1'])).toMatch(/takes on or off/)
  })

  it('roles update --default and apps update --require-mfa/--require-par take both spellings; a bad value changes nothing', async () => {
    await ok(['roles', 'create', 'member'])
    const role = async (value: string) =>
      ((await ok(['roles', 'update', 'member', '--default', value])).role as { default: boolean }).default
    expect(await role('on')).toBe(true)
    expect(await role('false')).toBe(false)
    expect(await role('true')).toBe(true)
    expect(await usage(['roles', 'update', 'member', '--default', 'maybe'])).toMatch(/--default takes on or off/)

    const created = await ok(['apps', 'create', '--name', 'Web', '--type', 'web', '--redirect-uris', 'https://app.example.test/cb'])
    const id = created.clientId as string
    const app = async (...argv: string[]) =>
      (await ok(['apps', 'update', id, ...argv])).application as { requireMfa: boolean; requirePushedAuthorizationRequests: boolean }
    expect((await app('--require-mfa', 'true')).requireMfa).toBe(true)
    expect((await app('--require-par', 'on')).requirePushedAuthorizationRequests).toBe(true)
    expect(await app('--require-par', 'false', '--require-mfa', 'off')).toMatchObject({
      requireMfa: false,
      requirePushedAuthorizationRequests: false,
    })
    expect(await usage(['apps', 'update', id, '--require-par', 'yes', '--name', 'Renamed'])).toMatch(/--require-par takes on or off/)
    const listed = (await ok(['apps', 'list'])).applications as { clientId: string; name: string }[]
    expect(listed.find((each) => each.clientId === id)?.name).toBe('Web')
  })
})
