import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CompactEncrypt, CompactSign, exportSPKI } from 'jose'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createSigningKey, encodePart, signByHand, signToken } from '../../test/signing-keys.js'
import { codeOf, createFixture } from '../../test/verifier-fixture.js'

/** A local server that counts every request it receives: the verifier must never call it. */
async function startTrap() {
  const trap = { hits: 0, url: '' }
  const server = createServer((_req, res) => {
    trap.hits += 1
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  trap.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return trap
}

describe('a verifier refuses every forged-token case of RFC 8725', () => {
  it('accepts the genuine token the forgeries start from', async () => {
    const { verifier, token } = await createFixture()
    await expect(verifier.verify(await token())).resolves.toMatchObject({ subject: 'user-1' })
  })

  for (const alg of ['none', 'NONE', 'None', 'nOnE']) {
    it(`refuses alg "${alg}", with an empty or a made-up signature`, async () => {
      const { verifier, token, key } = await createFixture()
      const payload = (await token()).split('.')[1]
      const header = encodePart({ alg, kid: key.kid, typ: 'at+jwt' })
      expect(await codeOf(verifier.verify(`${header}.${payload}.`))).toBe('invalid_token')
      expect(await codeOf(verifier.verify(`${header}.${payload}.${encodePart('x')}`))).toBe('invalid_token')
    })
  }

  it('refuses HS256 "signed" with the published public key as the HMAC secret', async () => {
    // Keys published after the verifier warmed up are found by the unknown-kid refetch.
    const fixture = await createFixture({ jwksCooldown: 0 })
    const rsa = await createSigningKey('RS256')
    fixture.tessera.jwks.push(rsa.publicJwk)
    const claims = JSON.parse(Buffer.from((await fixture.token()).split('.')[1] as string, 'base64url').toString())
    for (const victim of [fixture.key, rsa]) {
      const secrets = [await exportSPKI(victim.publicKey), JSON.stringify(victim.publicJwk), JSON.stringify({ ...victim.publicJwk })]
      for (const secret of secrets) {
        const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
          .setProtectedHeader({ alg: 'HS256', kid: victim.kid, typ: 'at+jwt' })
          .sign(new TextEncoder().encode(secret))
        expect(await codeOf(fixture.verifier.verify(forged))).toBe('invalid_token')
      }
    }
  })

  it('refuses a token that brings its own key in a jwk header', async () => {
    const fixture = await createFixture()
    const attacker = await createSigningKey('ES256')
    const claims = JSON.parse(Buffer.from((await fixture.token()).split('.')[1] as string, 'base64url').toString())
    for (const kid of [attacker.kid, fixture.key.kid]) {
      const forged = await signToken(attacker, claims, { kid, jwk: attacker.publicJwk })
      expect(await codeOf(fixture.verifier.verify(forged))).toBe('invalid_token')
    }
  })

  for (const header of ['jku', 'x5u'] as const) {
    it(`refuses a token whose ${header} points at another server, and never calls that server`, async () => {
      const fixture = await createFixture()
      const trap = await startTrap()
      const attacker = await createSigningKey('ES256')
      const claims = JSON.parse(Buffer.from((await fixture.token()).split('.')[1] as string, 'base64url').toString())
      for (const kid of [attacker.kid, fixture.key.kid]) {
        const forged = await signToken(attacker, claims, { kid, [header]: trap.url })
        expect(await codeOf(fixture.verifier.verify(forged))).toBe('invalid_token')
      }
      // Even a genuine signature does not make a key reference acceptable.
      expect(await codeOf(fixture.verifier.verify(await fixture.token({}, { [header]: trap.url })))).toBe('invalid_token')
      expect(trap.hits).toBe(0)
    })
  }

  it('refuses a token with an x5c certificate chain header', async () => {
    const { verifier, token } = await createFixture()
    expect(await codeOf(verifier.verify(await token({}, { x5c: ['MIIBszCCAVmgAwIBAgIU'] })))).toBe('invalid_token')
  })

  it('treats a kid with path or SQL injection as an unknown kid, and never puts it in a URL', async () => {
    const fixture = await createFixture({ jwksCooldown: 0 })
    const kids = ['../../../../etc/passwd', "' OR '1'='1' --", '/.well-known/jwks.json', '..%2f..%2fadmin', 'a\u0000b', '*']
    for (const kid of kids) expect(await codeOf(fixture.verifier.verify(await fixture.token({}, { kid })))).toBe('invalid_token')
    const paths = new Set(fixture.tessera.requests.map((request) => request.path))
    expect([...paths].sort()).toEqual(['/.well-known/jwks.json', '/.well-known/openid-configuration'])
    for (const request of fixture.tessera.requests) expect(JSON.stringify(request.headers)).not.toContain('passwd')
  })

  it('refuses a tampered payload', async () => {
    const { verifier, token } = await createFixture()
    const [header, payload, signature] = (await token()).split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    for (const change of [{ sub: 'admin' }, { scope: 'orders:read orders:write admin' }, { exp: claims.exp + 3600 }]) {
      expect(await codeOf(verifier.verify(`${header}.${encodePart({ ...claims, ...change })}.${signature}`))).toBe('invalid_token')
    }
  })

  it('refuses a wrong or missing typ, and accepts the media-type spelling of at+jwt (RFC 9068 §4)', async () => {
    const { verifier, token } = await createFixture()
    for (const typ of ['JWT', 'jwt', 'application/jwt', 'at+jwt2', '', 7]) {
      expect(await codeOf(verifier.verify(await token({}, { typ })))).toBe('invalid_token')
    }
    expect(await codeOf(verifier.verify(await token({}, { typ: undefined })))).toBe('invalid_token')
    await expect(verifier.verify(await token({}, { typ: 'application/at+jwt' }))).resolves.toBeDefined()
  })

  it('refuses a JWE where a JWS is expected', async () => {
    const { verifier, key } = await createFixture()
    const jwe = await new CompactEncrypt(new TextEncoder().encode('{"sub":"user-1"}'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: key.kid, typ: 'at+jwt' })
      .encrypt(new Uint8Array(32))
    expect(jwe.split('.')).toHaveLength(5)
    expect(await codeOf(verifier.verify(jwe))).toBe('invalid_token')
  })

  it('refuses non-canonical base64url: padding, whitespace, and unused bits set', async () => {
    const { verifier, token } = await createFixture()
    const good = await token()
    const [header, payload, signature] = good.split('.') as [string, string, string]
    // An ES256 signature is 64 bytes: its last base64url character carries 4 unused bits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = alphabet.indexOf(signature.slice(-1))
    const sameBytes = `${signature.slice(0, -1)}${alphabet[last | 1]}`
    expect(Buffer.from(sameBytes, 'base64url')).toEqual(Buffer.from(signature, 'base64url'))
    for (const variant of [
      `${good}=`,
      `${header}.${payload}.${signature}==`,
      `${header}.${payload}. ${signature}`,
      ` ${good}`,
      `${header}.${payload}.${sameBytes}`,
    ]) {
      expect(await codeOf(verifier.verify(variant))).toBe('invalid_token')
    }
    await expect(verifier.verify(good)).resolves.toBeDefined()
  })

  it('refuses an oversized token before any cryptography', async () => {
    const { verifier, token } = await createFixture()
    expect(await codeOf(verifier.verify(await token({ padding: 'x'.repeat(9000) })))).toBe('invalid_token')
  })

  it('refuses critical header extensions, and the signature is not what fails', async () => {
    const { verifier, token, key } = await createFixture()
    const claims = JSON.parse(Buffer.from((await token()).split('.')[1] as string, 'base64url').toString())
    const header = { alg: 'ES256', kid: key.kid, typ: 'at+jwt' }
    await expect(verifier.verify(signByHand(key, header, claims))).resolves.toBeDefined()
    for (const extra of [{ crit: ['exp'], exp: 1 }, { crit: ['b64'], b64: false }, { b64: true }]) {
      expect(await codeOf(verifier.verify(signByHand(key, { ...header, ...extra }, claims)))).toBe('invalid_token')
    }
  })

  it('refuses a token signed with one published key but naming another', async () => {
    // Keys published after the verifier warmed up are found by the unknown-kid refetch.
    const fixture = await createFixture({ jwksCooldown: 0 })
    const other = await createSigningKey('ES256')
    fixture.tessera.jwks.push(other.publicJwk)
    const claims = JSON.parse(Buffer.from((await fixture.token()).split('.')[1] as string, 'base64url').toString())
    expect(await codeOf(fixture.verifier.verify(await signToken(other, claims, { kid: fixture.key.kid })))).toBe('invalid_token')
    await expect(fixture.verifier.verify(await signToken(other, claims))).resolves.toBeDefined()
  })

  it('refuses a token whose alg differs from its key’s alg, even an asymmetric one', async () => {
    // Keys published after the verifier warmed up are found by the unknown-kid refetch.
    const fixture = await createFixture({ jwksCooldown: 0 })
    const rsa = await createSigningKey('RS256')
    fixture.tessera.jwks.push({ ...rsa.publicJwk, alg: 'PS256' })
    const claims = JSON.parse(Buffer.from((await fixture.token()).split('.')[1] as string, 'base64url').toString())
    expect(await codeOf(fixture.verifier.verify(await signToken(rsa, claims)))).toBe('invalid_token')
  })

  it('refuses anything that is not a token', async () => {
    const { verifier } = await createFixture()
    for (const junk of ['', 'abc', 'a.b', 'a.b.c.d', '....', `${encodePart({ alg: 'ES256' })}..`, 'é.é.é']) {
      expect(await codeOf(verifier.verify(junk))).toBe('invalid_token')
    }
    expect(await codeOf(verifier.verify(42 as unknown as string))).toBe('invalid_token')
  })
})
