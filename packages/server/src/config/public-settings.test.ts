import { describe, expect, it } from 'vitest'
import { loadConfig } from './load-config.js'
import { MASKED, publicSettings } from './public-settings.js'

describe('public settings', () => {
  it('masks the master key and every credential in a URL, and keeps everything else as configured', () => {
    const masterKey = Buffer.alloc(32, 7).toString('base64url')
    const config = loadConfig({
      env: {},
      overrides: {
        issuer: 'https://id.example.test',
        masterKey,
        databaseUrl: 'postgres://tessera:db-pa55word@db.internal:5432/tessera?schema=auth&password=again',
        redisUrl: 'redis://:redis-pa55@cache.internal:6379/0',
        email: { smtpUrl: 'smtps://mailer:smtp-pa55@smtp.example.test:465', from: 'id@example.test' },
      },
    })
    const settings = publicSettings(config)
    const text = JSON.stringify(settings)
    for (const secret of [masterKey, 'db-pa55word', 'again', 'redis-pa55', 'smtp-pa55', 'mailer', 'tessera:']) {
      expect(text).not.toContain(secret)
    }
    expect(settings).toMatchObject({
      issuer: 'https://id.example.test',
      masterKey: MASKED,
      databaseUrl: `postgres://${MASKED}@db.internal:5432/tessera?schema=auth`,
      redisUrl: `redis://${MASKED}@cache.internal:6379/0`,
      email: { smtpUrl: `smtps://${MASKED}@smtp.example.test:465`, from: 'id@example.test' },
    })
    expect((settings.session as Record<string, unknown>).idleTimeout).toBe(config.session.idleTimeout)
  })

  it('says an unset secret is unset, and masks a secret-looking name added later', () => {
    const config = loadConfig({ env: {}, overrides: { masterKey: '' } })
    const settings = publicSettings({ ...config, future: { clientSecret: 's3cr3t', apiToken: 't0ken' } } as typeof config)
    expect(settings.masterKey).toBe('')
    expect(settings.future).toEqual({ clientSecret: MASKED, apiToken: MASKED })
  })
})
