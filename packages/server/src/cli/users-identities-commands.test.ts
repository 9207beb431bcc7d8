import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cli, type Env, jsonErrorCode, oneJsonObject } from '../../test/cli-harness.js'
import { createTestDatabase, type TestDatabase } from '../../test/test-database.js'
import { createTessera } from '../app/tessera.js'
import { loadConfig } from '../config/load-config.js'

const CLI = { kind: 'cli' } as const

describe('tessera CLI: users identities list and unlink', () => {
  let database: TestDatabase
  let dataDir: string
  let env: Env

  beforeEach(() => {
    database = createTestDatabase('sqlite')
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-cli-'))
    env = { TESSERA_DATABASE_URL: database.url, TESSERA_DATA_DIR: dataDir }
  })

  afterEach(async () => {
    await database.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  /** Jim, made by a GitHub connection: no password, one identity (his only way to sign in). */
  async function jimFromGitHub(): Promise<{ connectionId: string; userId: string; identityId: string }> {
    const tessera = await createTessera(loadConfig({ env, overrides: { logLevel: 'silent' } }))
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
    const listed = await cli(env, ['users', 'identities', 'list', 'jim@example.com', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(oneJsonObject(listed.stdout)).toEqual({
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
    const human = await cli(env, ['users', 'identities', 'list', userId])
    expect(human.stdout).toContain(`${identityId}  GitHub (${connectionId})  1002  jim@example.com`)

    const refused = await cli(env, ['users', 'identities', 'unlink', userId, identityId, '--json'])
    expect(refused.code).not.toBe(0)
    expect(jsonErrorCode(refused)).toBe('last_sign_in_method')
    const unknown = await cli(env, ['users', 'identities', 'unlink', userId, 'idn_missing', '--json'])
    expect(jsonErrorCode(unknown)).toBe('identity_not_found')

    const forced = await cli(env, ['users', 'identities', 'unlink', 'jim@example.com', identityId, '--force', '--json'])
    expect(forced.code, forced.stderr).toBe(0)
    expect(oneJsonObject(forced.stdout)).toEqual({ user: userId, unlinked: identityId })
    const after = await cli(env, ['users', 'identities', 'list', userId])
    expect(after.stdout.trim()).toBe('No linked identities.')
  })
})
