import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { testTempDir } from '../../test/test-database.js'
import { renderConfigDocs } from './config-docs.js'
import { ConfigError } from './config-error.js'
import { SETTINGS } from './config-settings.js'
import { loadConfig } from './load-config.js'

function problemsOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).message
  }
  throw new Error('expected a ConfigError')
}

function configFile(content: string): string {
  const path = join(testTempDir('tessera-config-'), 'tessera.json')
  writeFileSync(path, content)
  return path
}

describe('loadConfig', () => {
  it('fills every documented default and derives the issuer and the SQLite URL from them', () => {
    const config = loadConfig({ env: {}, cwd: '/srv/tessera' })
    expect(config.port).toBe(4000)
    expect(config.host).toBe('localhost')
    expect(config.issuer).toBe('http://localhost:4000')
    expect(config.dataDir).toBe('/srv/tessera/data')
    expect(config.databaseUrl).toBe('sqlite:/srv/tessera/data/tessera.db')
    expect(config.argon2).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 })
    expect(config.password).toEqual({ minLength: 8, maxLength: 128, minStrength: 3, maxBytes: 1024, estimatorIdleTimeout: 5 })
    expect(config.session.activityInterval).toBe(60)
    expect(config.cookie).toEqual({ name: 'tessera_session', secure: 'auto', sameSite: 'lax' })
  })

  it('reads the documented environment variables, typed', () => {
    const config = loadConfig({
      env: {
        TESSERA_PORT: '4100',
        TESSERA_HOST: '0.0.0.0',
        TESSERA_ISSUER: 'https://id.example.com',
        TESSERA_DATA_DIR: '/var/lib/tessera',
        TESSERA_DATABASE_URL: 'postgres://postgres@db:5432/tessera',
        TESSERA_TRUST_PROXY: 'true',
        TESSERA_ALLOWED_ORIGINS: 'https://a.example.com, https://b.example.com',
        TESSERA_SESSION_IDLE_TIMEOUT: '3600',
      },
    })
    expect(config).toMatchObject({
      port: 4100,
      host: '0.0.0.0',
      issuer: 'https://id.example.com',
      dataDir: '/var/lib/tessera',
      databaseUrl: 'postgres://postgres@db:5432/tessera',
      trustProxy: true,
      http: { allowedOrigins: ['https://a.example.com', 'https://b.example.com'] },
      session: { idleTimeout: 3600 },
    })
  })

  it('accepts sqlite:PATH relative to the working directory', () => {
    expect(loadConfig({ env: { TESSERA_DATABASE_URL: 'sqlite:db/t.db' }, cwd: '/srv' }).databaseUrl).toBe('sqlite:/srv/db/t.db')
  })

  it('layers defaults < file < environment < overrides', () => {
    const file = configFile(JSON.stringify({ port: 4200, session: { idleTimeout: 900 }, logLevel: 'warn' }))
    const config = loadConfig({ env: { TESSERA_CONFIG: file, TESSERA_PORT: '4300' }, overrides: { logLevel: 'error' } })
    expect(config.port).toBe(4300)
    expect(config.session.idleTimeout).toBe(900)
    expect(config.session.absoluteLifetime).toBe(30 * 24 * 3600)
    expect(config.logLevel).toBe('error')
  })

  it('names the key and its variable when an environment value cannot be read', () => {
    const message = problemsOf(() => loadConfig({ env: { TESSERA_PORT: 'abc', TESSERA_TRUST_PROXY: 'maybe' } }))
    expect(message).toContain('port (TESSERA_PORT)')
    expect(message).toContain('trustProxy (TESSERA_TRUST_PROXY)')
  })

  it('names the key when a value is out of range', () => {
    expect(problemsOf(() => loadConfig({ env: { TESSERA_PORT: '70000' } }))).toContain('port (TESSERA_PORT)')
    expect(problemsOf(() => loadConfig({ env: { TESSERA_ARGON2_MEMORY_COST: '4096' } }))).toContain('argon2.memoryCost')
    expect(problemsOf(() => loadConfig({ env: { TESSERA_PASSWORD_MAX_LENGTH: '32' } }))).toContain('password.maxLength')
    expect(problemsOf(() => loadConfig({ env: { TESSERA_SIGN_IN_FREE_FAILURES: '101' } }))).toContain('signIn.freeFailures')
  })

  it('lists the allowed choices of an enumerated setting', () => {
    expect(problemsOf(() => loadConfig({ env: { TESSERA_COOKIE_SAME_SITE: 'none' } }))).toContain(
      'cookie.sameSite (TESSERA_COOKIE_SAME_SITE): must be one of lax, strict',
    )
  })

  it('refuses argon2 parameters below the OWASP minimum and a password minimum below 8', () => {
    expect(problemsOf(() => loadConfig({ overrides: { argon2: { timeCost: 1 } } }))).toContain('argon2.timeCost')
    expect(problemsOf(() => loadConfig({ overrides: { password: { minLength: 6 } } }))).toContain('password.minLength')
  })

  it('refuses unknown keys in a config file, naming them', () => {
    const file = configFile(JSON.stringify({ prot: 4000, session: { idle: 5 } }))
    const message = problemsOf(() => loadConfig({ file }))
    expect(message).toContain('prot: unknown key')
    expect(message).toContain('session.idle: unknown key')
  })

  it('refuses a config file that is not a JSON object', () => {
    expect(problemsOf(() => loadConfig({ file: configFile('[1,2]') }))).toContain('must hold one JSON object')
    expect(problemsOf(() => loadConfig({ file: configFile('{ nope') }))).toContain('config file')
    expect(problemsOf(() => loadConfig({ file: '/nonexistent/tessera.json' }))).toContain('config file')
  })

  it('ignores prototype keys in a config file instead of merging them', () => {
    const file = configFile('{"__proto__": {"polluted": true}, "port": 4001}')
    expect(loadConfig({ file }).port).toBe(4001)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('keeps the metrics port off by default, on loopback when set, and apart from the main port', () => {
    expect(loadConfig({ env: {} }).metrics).toEqual({ port: 0, host: '127.0.0.1' })
    expect(loadConfig({ env: { TESSERA_METRICS_PORT: '9464' } }).metrics).toEqual({ port: 9464, host: '127.0.0.1' })
    expect(problemsOf(() => loadConfig({ env: { TESSERA_PORT: '9464', TESSERA_METRICS_PORT: '9464' } }))).toContain(
      'metrics.port (TESSERA_METRICS_PORT): must differ from port',
    )
  })

  it('refuses a database URL of another kind', () => {
    expect(problemsOf(() => loadConfig({ env: { TESSERA_DATABASE_URL: 'mysql://x' } }))).toContain('databaseUrl (TESSERA_DATABASE_URL)')
  })

  it('refuses an issuer with a query or fragment, or plain http beyond localhost', () => {
    expect(problemsOf(() => loadConfig({ env: { TESSERA_ISSUER: 'https://id.example.com/?a=1' } }))).toContain('issuer (TESSERA_ISSUER)')
    expect(problemsOf(() => loadConfig({ env: { TESSERA_ISSUER: 'https://id.example.com#x' } }))).toContain('issuer')
    expect(problemsOf(() => loadConfig({ env: { TESSERA_ISSUER: 'http://id.example.com' } }))).toContain('only for localhost')
    expect(problemsOf(() => loadConfig({ env: { TESSERA_ISSUER: 'not a url' } }))).toContain('absolute URL')
  })

  it('refuses to run in production without an https issuer', () => {
    expect(problemsOf(() => loadConfig({ env: { TESSERA_ENV: 'production' } }))).toContain('must be set in production')
    expect(problemsOf(() => loadConfig({ env: { TESSERA_ENV: 'production', TESSERA_ISSUER: 'http://localhost:4000' } }))).toContain(
      'https in production',
    )
    const masterKey = Buffer.alloc(32, 7).toString('base64url')
    expect(
      loadConfig({ env: { TESSERA_ENV: 'production', TESSERA_ISSUER: 'https://id.example.com', TESSERA_MASTER_KEY: masterKey } }).env,
    ).toBe('production')
  })

  it('refuses to run in production without a master key, and refuses a malformed one anywhere', () => {
    expect(problemsOf(() => loadConfig({ env: { TESSERA_ENV: 'production', TESSERA_ISSUER: 'https://id.example.com' } }))).toContain(
      'masterKey (TESSERA_MASTER_KEY): required in production',
    )
    expect(problemsOf(() => loadConfig({ env: { TESSERA_MASTER_KEY: 'too-short' } }))).toContain('masterKey (TESSERA_MASTER_KEY)')
  })

  it('keeps the key pre-publication window at least one JWKS cache lifetime', () => {
    expect(problemsOf(() => loadConfig({ env: { TESSERA_KEYS_PRE_PUBLISH: '60', TESSERA_KEYS_JWKS_MAX_AGE: '600' } }))).toContain(
      'keys.prePublish (TESSERA_KEYS_PRE_PUBLISH)',
    )
    expect(problemsOf(() => loadConfig({ env: { TESSERA_KEYS_RSA_MODULUS_LENGTH: '1024' } }))).toContain('keys.rsaModulusLength')
  })

  it('gives every setting an environment variable and a description', () => {
    for (const setting of SETTINGS) {
      expect(setting.env, setting.key).toMatch(/^TESSERA_[A-Z0-9_]+$/)
      expect(setting.schema.description, setting.key).toBeTruthy()
    }
    expect(new Set(SETTINGS.map((setting) => setting.env)).size).toBe(SETTINGS.length)
  })

  it('keeps docs/configuration.md equal to what the schema generates (npm run docs:config)', () => {
    const docs = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8')
    expect(docs).toBe(renderConfigDocs())
  })
})
