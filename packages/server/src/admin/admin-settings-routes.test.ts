import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'

describe('admin settings', () => {
  it('shows the effective configuration and the versions, with the master key masked, to admin:read', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const config = admin.server.tessera.config
    const response = await admin.call('GET', '/settings', { token: await admin.tokenWith('admin:read') })
    expect(response.statusCode, response.body).toBe(200)
    const body = response.json()
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(body).toMatchObject({ version: pkg.version, node: process.version, database: 'sqlite', redis: false })
    expect(body.settings).toMatchObject({
      issuer: 'https://id.example.test',
      masterKey: '********',
      session: { idleTimeout: config.session.idleTimeout },
    })
    expect(response.body).not.toContain(config.masterKey)
    expectProblem(await admin.call('GET', '/settings', { token: null }), 401, 'unauthenticated')
  })
})
