import { describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli, jsonErrorCode } from '../../test/cli-harness.js'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { createTessera } from '../app/tessera.js'
import { loadConfig } from '../config/load-config.js'
import { totpCodeAt } from '../mfa/totp.js'

const PASSWORD = 'correct horse battery staple'

describe('tessera CLI: users mfa list and reset, apps --require-mfa', () => {
  const fixture = useCliFixture('sqlite')
  const { ok } = fixture

  /** Ann with an authenticator app, enrolled through the service as the /v1/mfa API does. */
  async function annWithAuthenticator(): Promise<{ userId: string; factorId: string; tokenVersion: number }> {
    const user = (await ok(['users', 'create', '--email', 'ann@example.com', '--password-stdin'], PASSWORD)).user as { id: string }
    const tessera = await createTessera(loadConfig({ env: fixture.env, overrides: { logLevel: 'silent' } }), {
      passwordEstimator: sharedSourcePasswordEstimator(),
    })
    try {
      const { mfa } = tessera.services
      const authTime = Date.now()
      const begun = await mfa.beginTotp({ userId: user.id, account: 'ann@example.com', name: 'Phone', authTime })
      await mfa.confirmTotp({ userId: user.id, code: totpCodeAt(begun.secret, Date.now()), authTime, actor: { kind: 'user', id: user.id } })
      const tokenVersion = (await tessera.stores.users.findById(user.id))?.tokenVersion as number
      return { userId: user.id, factorId: begun.factorId, tokenVersion }
    } finally {
      await tessera.close()
    }
  }

  it('lists the factors (by id or email) without secrets, then resets them, raising the token version', async () => {
    const { userId, factorId, tokenVersion } = await annWithAuthenticator()
    const listed = await ok(['users', 'mfa', 'list', 'ann@example.com'])
    expect(listed).toEqual({
      factors: [{ id: factorId, kind: 'totp', name: 'Phone', createdAt: expect.any(String), lastUsedAt: expect.any(String) }],
      recoveryCodesLeft: 10,
    })
    const human = await cli(fixture.env, ['users', 'mfa', 'list', userId])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`${factorId}  totp`)
    expect(human.stdout).toContain('10 recovery code(s) left.')

    expect(await ok(['users', 'mfa', 'reset', userId])).toEqual({ user: userId, removed: 1 })
    expect(await ok(['users', 'mfa', 'list', userId])).toEqual({ factors: [], recoveryCodesLeft: 0 })
    expect((await cli(fixture.env, ['users', 'mfa', 'list', userId])).stdout).toBe('No second factors.\n')

    const tessera = await createTessera(loadConfig({ env: fixture.env, overrides: { logLevel: 'silent' } }), {
      passwordEstimator: sharedSourcePasswordEstimator(),
    })
    try {
      expect((await tessera.stores.users.findById(userId))?.tokenVersion).toBe(tokenVersion + 1)
      const reset = (await tessera.stores.events.listAfter(0, 1000)).find((event) => event.type === 'mfa.factors_reset')
      expect(reset).toMatchObject({ userId, actor: { kind: 'cli' }, payload: { removed: 1 } })
    } finally {
      await tessera.close()
    }
  })

  it('refuses an unknown user (exit 1, user_not_found) and a missing argument (exit 2)', async () => {
    const unknown = await cli(fixture.env, ['users', 'mfa', 'reset', 'nobody@example.com', '--json'])
    expect(unknown.code).toBe(1)
    expect(jsonErrorCode(unknown)).toBe('user_not_found')
    const missing = await cli(fixture.env, ['users', 'mfa', 'list'])
    expect(missing.code).toBe(2)
  })

  it('sets and clears requireMfa on an application (apps create --require-mfa, apps update --require-mfa on|off)', async () => {
    const created = await ok([
      'apps',
      'create',
      '--name',
      'Bank',
      '--type',
      'spa',
      '--redirect-uris',
      'https://bank.example/cb',
      '--require-mfa',
    ])
    expect((created.application as { requireMfa: boolean }).requireMfa).toBe(true)
    const id = created.clientId as string
    expect(((await ok(['apps', 'update', id, '--require-mfa', 'off'])).application as { requireMfa: boolean }).requireMfa).toBe(false)
    expect(((await ok(['apps', 'update', id, '--require-mfa', 'on'])).application as { requireMfa: boolean }).requireMfa).toBe(true)
    const bad = await cli(fixture.env, ['apps', 'update', id, '--require-mfa', 'yes'])
    expect(bad.code).toBe(2)
    const plain = await ok(['apps', 'create', '--name', 'Blog', '--type', 'spa', '--redirect-uris', 'https://blog.example/cb'])
    expect((plain.application as { requireMfa: boolean }).requireMfa).toBe(false)
  })
})
