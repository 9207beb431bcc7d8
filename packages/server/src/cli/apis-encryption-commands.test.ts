import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli } from '../../test/cli-harness.js'

const API = 'https://api.example.test'

interface EncryptedApi {
  identifier: string
  encryptTokens: boolean
  encryptionKey: { kid: string; kty: string; crv: string; alg: string; use: string; d?: string } | null
}

/** Issue 16 part 7 from the CLI: `apis create --encrypt-tokens` and `apis encryption-key`. */
describe('tessera CLI: encrypted access tokens', () => {
  const fixture = useCliFixture()
  const { ok, refused } = fixture

  const create = (...extra: string[]) => ['apis', 'create', '--identifier', API, '--name', 'Orders', '--mode', 'jwt', ...extra]

  it('apis create --encrypt-tokens prints the private key once; the API shows only the public one afterwards', async () => {
    const body = await ok(create('--encrypt-tokens'))
    const api = body.api as EncryptedApi
    const privateJwk = body.privateJwk as Record<string, string>
    expect(privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ECDH-ES+A256KW', use: 'enc', d: expect.any(String) })
    expect(api).toMatchObject({ encryptTokens: true, encryptionKey: { kid: privateJwk.kid, kty: 'EC', crv: 'P-256' } })
    const listed = ((await ok(['apis', 'list'])).apis as EncryptedApi[]).find((each) => each.identifier === API)
    expect(listed?.encryptionKey).toEqual(api.encryptionKey)
    expect(JSON.stringify(listed)).not.toContain(privateJwk.d)
    // The human form says it is shown once, and shows it.
    const human = await cli(fixture.env, ['apis', 'encryption-key', API, '--generate', '--curve', 'X25519'])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/shown this once/)
    expect(human.stdout).toMatch(/"crv":"X25519"/)
  })

  it('apis encryption-key rotates to a public key from a file, and --off stops encrypting', async () => {
    await ok(create())
    const file = join(fixture.dataDir, 'key.json')
    writeFileSync(file, JSON.stringify({ kty: 'OKP', crv: 'X25519', x: 'dzG4GWg2IuZMySPfpIK3i2ctmZuAsEJ459Xu96XanR0', kid: 'orders-1' }))
    const set = await ok(['apis', 'encryption-key', API, '--public-jwk', file])
    expect(set.privateJwk).toBeUndefined()
    expect(set.api).toMatchObject({ encryptTokens: true, encryptionKey: { kid: 'orders-1', crv: 'X25519' } })
    const off = await ok(['apis', 'encryption-key', API, '--off'])
    expect(off.api).toMatchObject({ encryptTokens: false, encryptionKey: null })
  })

  it('refuses a private key file, a session-mode API, an unknown curve and contradictory flags, changing nothing', async () => {
    await ok(create())
    const file = join(fixture.dataDir, 'private.json')
    const generated = (await ok(['apis', 'encryption-key', API, '--generate'])).privateJwk as Record<string, string>
    writeFileSync(file, JSON.stringify(generated))
    expect(await refused(['apis', 'encryption-key', API, '--public-jwk', file])).toEqual({ code: 1, error: 'invalid_request' })
    expect(await refused(['apis', 'encryption-key', API, '--generate', '--curve', 'P-384'])).toEqual({ code: 2, error: 'usage' })
    expect(await refused(['apis', 'encryption-key', API, '--generate', '--off'])).toEqual({ code: 2, error: 'usage' })
    expect(await refused(['apis', 'encryption-key', API])).toEqual({ code: 2, error: 'usage' })
    expect(await refused(['apis', 'encryption-key', API, '--public-jwk', join(fixture.dataDir, 'missing.json')])).toEqual({
      code: 2,
      error: 'usage',
    })
    const session = ['apis', 'create', '--identifier', 'https://s.example.test', '--name', 'S', '--mode', 'session', '--encrypt-tokens']
    expect(await refused(session)).toEqual({ code: 1, error: 'invalid_request' })
    // Still the key generated above.
    const listed = ((await ok(['apis', 'list'])).apis as EncryptedApi[]).filter((each) => each.identifier !== 'urn:tessera:admin')
    expect(listed.map((each) => [each.identifier, each.encryptionKey?.kid])).toEqual([[API, generated.kid]])
  })
})
