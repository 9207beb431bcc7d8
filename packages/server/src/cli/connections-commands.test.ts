import { beforeEach, describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli, jsonErrorCode as errorCode, oneJsonObject as json } from '../../test/cli-harness.js'

describe('tessera connections commands', () => {
  const fixture = useCliFixture('sqlite', 'tessera-cli-connections-')

  beforeEach(() => {
    fixture.env = { ...fixture.env, TESSERA_ISSUER: 'https://id.example.com' }
  })

  it('creates an OIDC connection with the secret from stdin, prints its id and redirect URI, lists and deletes it', async () => {
    const argv = [
      'connections',
      'create',
      '--type',
      'oidc',
      '--name',
      'Acme',
      '--issuer',
      'https://93.184.216.34',
      '--client-id',
      'tessera',
      '--icon-url',
      'https://93.184.216.34/acme.png',
    ]
    const created = await cli(fixture.env, [...argv, '--client-secret-stdin', '--json'], 'the-upstream-secret\n')
    expect(created.code, created.stderr).toBe(0)
    expect(created.stdinReads).toBe(1)
    const shown = json(created.stdout) as { id: string; redirectUri: string; hasClientSecret: boolean; name: string; iconUrl: string }
    expect(shown.id).toMatch(/^con_/)
    expect(shown.iconUrl).toBe('https://93.184.216.34/acme.png')
    expect(shown.redirectUri).toBe(`https://id.example.com/oauth/callback/${shown.id}`)
    expect(shown.hasClientSecret).toBe(true)
    expect(created.stdout).not.toContain('the-upstream-secret')

    const listed = await cli(fixture.env, ['connections', 'list', '--json'])
    expect(listed.code).toBe(0)
    expect((json(listed.stdout).connections as { id: string }[]).map((each) => each.id)).toEqual([shown.id])
    expect(listed.stdout).not.toContain('the-upstream-secret')

    const human = await cli(fixture.env, ['connections', 'list'])
    expect(human.stdout).toContain(shown.redirectUri)

    expect((await cli(fixture.env, ['connections', 'delete', shown.id, '--json'])).code).toBe(0)
    expect(json((await cli(fixture.env, ['connections', 'list', '--json'])).stdout).connections).toEqual([])
  })

  it('refuses a connection without a type or preset, a bad preset, and an unknown id', async () => {
    expect((await cli(fixture.env, ['connections', 'create', '--client-id', 'x', '--json'])).code).toBe(2)
    expect((await cli(fixture.env, ['connections', 'create', '--preset', 'myspace', '--client-id', 'x', '--json'])).code).toBe(2)
    const http = await cli(fixture.env, [
      'connections',
      'create',
      '--type',
      'oidc',
      '--name',
      'x',
      '--issuer',
      'http://93.184.216.34',
      '--client-id',
      'x',
      '--json',
    ])
    expect(errorCode(http)).toBe('connection_invalid')
    const unknown = await cli(fixture.env, ['connections', 'delete', 'con_AAAAAAAAAAAAAAAAAAAAAA', '--json'])
    expect(errorCode(unknown)).toBe('connection_not_found')
  })

  it('gives a connection a private key for private_key_jwt, printing the public JWK and JWKS URL only', async () => {
    const { ok, refused } = fixture
    const created = await ok(['connections', 'create', '--preset', 'github', '--client-id', 'gh', '--client-secret-stdin'], 'gh-secret')
    const generated = await ok(['connections', 'generate-key', created.id as string])
    expect(generated.connection).toMatchObject({
      clientAuthentication: 'private_key_jwt',
      hasClientSecret: false,
      jwksUri: `https://id.example.com/oauth/connections/${created.id}/jwks`,
    })
    expect(Object.keys(generated.jwk as object).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'])
    expect((await refused(['connections', 'generate-key', 'con_AAAAAAAAAAAAAAAAAAAAAA'])).error).toBe('connection_not_found')
  })
})
