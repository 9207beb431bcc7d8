import { describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli } from '../../test/cli-harness.js'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { createTessera } from '../app/tessera.js'
import { loadConfig } from '../config/load-config.js'

const CLI = { kind: 'cli' } as const

describe('tessera CLI: users identities list and unlink', () => {
  const fixture = useCliFixture('sqlite')
  const { ok, refused } = fixture

  /** Jim, made by a GitHub connection: no password, one identity (his only way to sign in). */
  async function jimFromGitHub(): Promise<{ connectionId: string; userId: string; identityId: string }> {
    const tessera = await createTessera(loadConfig({ env: fixture.env, overrides: { logLevel: 'silent' } }), {
      passwordEstimator: sharedSourcePasswordEstimator(),
    })
    try {
      const connection = await tessera.connections.service.create({ preset: 'github', clientId: 'gh', clientSecret: 'gh-secret' }, CLI)
      const profile = { connectionId: connection.id, subject: '1002', email: 'jim@example.com', emailVerified: true, name: null }
      const { user } = await tessera.connections.federation.signUp(profile, null, async () => null)
      const [identity] = await tessera.stores.identities.listByUser(user.id)
      return { connectionId: connection.id, userId: user.id, identityId: identity?.id as string }
    } finally {
      await tessera.close()
    }
  }

  it('lists the identities by email or id, refuses to unlink the last way to sign in, and unlinks it with --force', async () => {
    const { connectionId, userId, identityId } = await jimFromGitHub()
    expect(await ok(['users', 'identities', 'list', 'jim@example.com'])).toEqual({
      identities: [
        {
          id: identityId,
          connectionId,
          connectionName: 'GitHub',
          subject: '1002',
          email: 'jim@example.com',
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
        },
      ],
    })
    const human = await cli(fixture.env, ['users', 'identities', 'list', userId])
    expect(human.stdout).toContain(`${identityId}  GitHub (${connectionId})  1002  jim@example.com`)

    const last = await refused(['users', 'identities', 'unlink', userId, identityId])
    expect(last.code).not.toBe(0)
    expect(last.error).toBe('last_sign_in_method')
    expect((await refused(['users', 'identities', 'unlink', userId, 'idn_missing'])).error).toBe('identity_not_found')

    expect(await ok(['users', 'identities', 'unlink', 'jim@example.com', identityId, '--force'])).toEqual({
      user: userId,
      unlinked: identityId,
    })
    const after = await cli(fixture.env, ['users', 'identities', 'list', userId])
    expect(after.stdout.trim()).toBe('No linked identities.')
  })
})
