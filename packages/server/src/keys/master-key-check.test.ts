import { randomBytes } from 'node:crypto'
import { describe, expect, it, onTestFinished } from 'vitest'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { createTestDatabase, DIALECTS } from '../../test/test-database.js'
import { createTessera } from '../app/tessera.js'
import { ConfigError } from '../config/config-error.js'
import { loadConfig } from '../config/load-config.js'
import { judgeMasterKey, masterKeyCheckValue } from './master-key-check.js'

describe.each(DIALECTS)('the master-key check on %s', (dialect) => {
  it('is written at first start; another key is refused at the next start, the right one is not', async () => {
    const database = createTestDatabase(dialect)
    onTestFinished(() => database.drop())
    const start = async (masterKey: string) => {
      const config = loadConfig({
        env: {},
        overrides: { databaseUrl: database.url, issuer: 'https://id.example.test', masterKey, logLevel: 'silent' },
      })
      return createTessera(config, { passwordEstimator: sharedSourcePasswordEstimator() })
    }
    const key = randomBytes(32).toString('base64url')
    const first = await start(key)
    await first.services.keys.maintain() // a signing key sealed under `key`
    const stored = await first.database.db.selectFrom('master_key_check').selectAll().executeTakeFirstOrThrow()
    expect(stored.value).toBe(masterKeyCheckValue(Buffer.from(key, 'base64url')))
    expect(stored.value).not.toContain(key)
    // A database from before the check value: the signing key decides, and the value is written then.
    await first.database.db.deleteFrom('master_key_check').execute()
    await first.close()

    const other = randomBytes(32).toString('base64url')
    const refused = await start(other).then(
      () => null,
      (error: unknown) => error,
    )
    expect(refused).toBeInstanceOf(ConfigError)
    expect((refused as Error).message).toContain('master key does not open this database')

    const again = await start(key)
    expect(await again.database.db.selectFrom('master_key_check').select('value').executeTakeFirst()).toEqual({ value: stored.value })
    await again.close()
    await expect(start(other)).rejects.toBeInstanceOf(ConfigError)
  })
})

describe('judgeMasterKey', () => {
  it('compares the check value, and cannot judge a database with neither a check nor a signing key', () => {
    const key = randomBytes(32)
    expect(judgeMasterKey(key, { check: masterKeyCheckValue(key), signingKey: null })).toBe('match')
    expect(judgeMasterKey(randomBytes(32), { check: masterKeyCheckValue(key), signingKey: null })).toBe('mismatch')
    expect(judgeMasterKey(key, { check: 'short', signingKey: null })).toBe('mismatch')
    expect(judgeMasterKey(key, { check: null, signingKey: null })).toBe('unverifiable')
    expect(judgeMasterKey(key, { check: null, signingKey: { kid: 'k', encryptedPrivateKey: 'not sealed' } })).toBe('mismatch')
  })
})
