import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'

const ISSUER = 'https://93.184.216.34/realm'
const SECRET = 'upstream-client-secret-0123456789'

for (const dialect of DIALECTS) {
  describe(`admin connections on ${dialect}`, () => {
    it('adds, reads, changes and deletes a connection; the client secret is write-only and sealed at rest', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const created = await admin.call('POST', '/connections', {
        payload: { type: 'oidc', name: 'Acme SSO', issuer: ISSUER, clientId: 'tessera', clientSecret: SECRET },
      })
      expect(created.statusCode, created.body).toBe(201)
      const { connection } = created.json()
      expect(connection).toMatchObject({
        type: 'oidc',
        name: 'Acme SSO',
        issuer: ISSUER,
        clientId: 'tessera',
        hasClientSecret: true,
        scopes: ['openid', 'email', 'profile'],
        applications: null,
        allowSignUp: true,
        enabled: true,
        redirectUri: `https://id.example.test/oauth/callback/${connection.id}`,
      })
      expect(connection.id).toMatch(/^con_[A-Za-z0-9_-]{22}$/)
      expect(created.body).not.toContain(SECRET)
      const row = await admin.server.tessera.database.db.selectFrom('connections').selectAll().executeTakeFirstOrThrow()
      expect(row.client_secret_sealed).toMatch(/^v1\./)
      expect(row.client_secret_sealed).not.toContain(SECRET)

      expect((await admin.call('GET', '/connections')).json().connections).toEqual([connection])
      const patched = await admin.call('PATCH', `/connections/${connection.id}`, {
        payload: { name: 'Acme', allowSignUp: false, applications: ['app-one'], clientSecret: 'rotated-secret' },
      })
      expect(patched.statusCode, patched.body).toBe(200)
      expect(patched.json().connection).toMatchObject({ name: 'Acme', allowSignUp: false, applications: ['app-one'] })
      expect(patched.body).not.toContain('rotated-secret')
      const read = await admin.call('GET', `/connections/${connection.id}`)
      expect(read.json().connection.name).toBe('Acme')

      expect((await admin.call('DELETE', `/connections/${connection.id}`)).statusCode).toBe(204)
      expectProblem(await admin.call('GET', `/connections/${connection.id}`), 404, 'connection_not_found')
      const events = await admin.server.tessera.database.db.selectFrom('event_outbox').select(['type', 'payload']).execute()
      const types = events.map((event) => event.type).filter((type) => type.startsWith('connection.'))
      expect(types).toEqual(['connection.created', 'connection.updated', 'connection.deleted'])
      for (const event of events) expect(event.payload).not.toContain('secret-0123')
    })
  })
}

describe('admin connections: bad input changes nothing', () => {
  it('refuses plain http, private and metadata addresses, missing settings, unknown fields and ids', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished, 'sqlite', { env: 'production' })
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/connections', { type: 'oidc', name: 'x', issuer: 'http://93.184.216.34', clientId: 'c' }, 400, 'connection_invalid'],
      ['POST', '/connections', { type: 'oidc', name: 'x', issuer: 'https://10.0.0.7', clientId: 'c' }, 400, 'connection_invalid'],
      ['POST', '/connections', { type: 'oidc', name: 'x', issuer: 'https://169.254.169.254', clientId: 'c' }, 400, 'connection_invalid'],
      ['POST', '/connections', { type: 'oidc', name: 'x', issuer: 'https://127.0.0.1', clientId: 'c' }, 400, 'connection_invalid'],
      [
        'POST',
        '/connections',
        { type: 'oidc', name: 'x', issuer: 'https://127.0.0.1', clientId: 'c', allowInsecureDevelopment: true },
        400,
        'connection_invalid',
      ],
      ['POST', '/connections', { type: 'oidc', name: 'x', clientId: 'c' }, 400, 'connection_invalid'],
      ['POST', '/connections', { type: 'oidc', name: 'x', issuer: ISSUER, clientId: 'c', scopes: ['email'] }, 400, 'connection_invalid'],
      ['POST', '/connections', { type: 'oauth2', name: 'x', authorizationEndpoint: ISSUER, clientId: 'c' }, 400, 'connection_invalid'],
      ['POST', '/connections', { preset: 'microsoft', clientId: 'c' }, 400, 'connection_invalid'],
      ['POST', '/connections', { preset: 'microsoft', tenant: 'common', clientId: 'c' }, 400, 'connection_invalid'],
      ['POST', '/connections', { type: 'oidc', name: 'x', issuer: ISSUER, clientId: 'c', secretSealed: 'v1.x' }, 400, 'invalid_request'],
      ['POST', '/connections', { type: 'saml', name: 'x', issuer: ISSUER, clientId: 'c' }, 400, 'invalid_request'],
      ['PATCH', '/connections/con_AAAAAAAAAAAAAAAAAAAAAA', { name: 'y' }, 404, 'connection_not_found'],
      ['DELETE', '/connections/usr_AAAAAAAAAAAAAAAAAAAAAA', undefined, 400, 'invalid_request'],
    ]
    for (const [method, url, payload, status, code] of cases) {
      const response = await admin.call(method as 'POST', url, payload === undefined ? {} : { payload })
      expect(response.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${response.body}`).toBe(status)
      expect(response.json().code).toBe(code)
    }
    expect((await admin.call('GET', '/connections')).json().connections).toEqual([])
  })

  it('fills in a preset: GitHub is OAuth 2.0 with its emails endpoint; Google is OpenID Connect with its API hosts allowed', async ({
    onTestFinished,
  }) => {
    const admin = await adminHarness(onTestFinished)
    const github = (await admin.call('POST', '/connections', { payload: { preset: 'github', clientId: 'gh', clientSecret: 's' } })).json()
      .connection
    expect(github).toMatchObject({
      type: 'oauth2',
      preset: 'github',
      name: 'GitHub',
      authorizationEndpoint: 'https://github.com/login/oauth/authorize',
      emailsEndpoint: 'https://api.github.com/user/emails',
      userMapping: { subject: 'id' },
      allowedHosts: ['api.github.com'],
    })
    const google = (await admin.call('POST', '/connections', { payload: { preset: 'google', clientId: 'g', clientSecret: 's' } })).json()
      .connection
    expect(google).toMatchObject({ type: 'oidc', issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'] })
    expect(google.allowedHosts).toContain('oauth2.googleapis.com')
  })
})
