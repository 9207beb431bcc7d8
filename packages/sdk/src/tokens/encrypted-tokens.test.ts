import { randomUUID } from 'node:crypto'
import { CompactEncrypt, type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { ADAPTERS } from '../../test/adapter-servers.js'
import { accessTokenClaims, createSigningKey, signToken } from '../../test/signing-keys.js'
import { AUDIENCE, codeOf, createFixture } from '../../test/verifier-fixture.js'
import type { VerifierOptions } from '../verifier/verifier-options.js'

const ALG = 'ECDH-ES+A256KW'
const ENC = 'A256GCM'

/** A key pair as Tessera gives an API one: the public half encrypts, the private JWK (with its kid) decrypts. */
async function encryptionKey(crv: 'P-256' | 'X25519' = 'P-256', kid: string = randomUUID()) {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { crv, extractable: true })
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: ALG, use: 'enc' }
  return { kid, publicKey, privateJwk }
}

/** Encrypts a signed token as Tessera does (RFC 7519 §5.2), with any header replaced. */
function encrypt(jws: string, key: CryptoKey | Uint8Array, header: Record<string, unknown>): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(jws)).setProtectedHeader({ alg: ALG, enc: ENC, cty: 'JWT', ...header }).encrypt(key)
}

async function setup(options: Partial<VerifierOptions> = {}, crv: 'P-256' | 'X25519' = 'P-256') {
  const apiKey = await encryptionKey(crv)
  const fixture = await createFixture({ encryption: { keys: [apiKey.privateJwk] }, ...options })
  const encrypted = async (claims: Record<string, unknown> = {}) =>
    encrypt(await fixture.token(claims), apiKey.publicKey, { kid: apiKey.kid })
  return { ...fixture, apiKey, encrypted }
}

/** Issue 16 part 7: encrypted access tokens through every adapter. */
for (const [name, serve] of Object.entries(ADAPTERS)) {
  describe(`encrypted access tokens with ${name}`, () => {
    it('decrypts a nested JWT and verifies the token inside it; refuses the same token signed only', async () => {
      const { verifier, token, encrypted } = await setup()
      const send = await serve(verifier, {})
      expect(await send({ authorization: `Bearer ${await encrypted()}` })).toMatchObject({ status: 200, code: null })
      const plain = await send({ authorization: `Bearer ${await token()}` })
      expect(plain).toMatchObject({ status: 401, code: 'invalid_token' })
      expect(plain.challenge).toContain('error="invalid_token"')
    })

    it('refuses a token encrypted to another key with 401 invalid_token', async () => {
      const { verifier, token, apiKey } = await setup()
      const other = await encryptionKey('P-256', apiKey.kid)
      const send = await serve(verifier, {})
      const foreign = await encrypt(await token(), other.publicKey, { kid: apiKey.kid })
      expect(await send({ authorization: `Bearer ${foreign}` })).toMatchObject({ status: 401, code: 'invalid_token' })
    })
  })
}

describe('encrypted access tokens: what the verifier refuses', () => {
  it('accepts X25519 keys as well as P-256', async () => {
    const { verifier, encrypted } = await setup({}, 'X25519')
    await expect(verifier.verify(await encrypted())).resolves.toMatchObject({ subject: 'user-1' })
  })

  it('refuses algorithms outside the allow-list (RFC 8725 §3.1), alg none included', async () => {
    const { verifier, token, apiKey } = await setup()
    const jws = await token()
    const other = await generateKeyPair('ECDH-ES+A128KW', { crv: 'P-256', extractable: true })
    const candidates = [
      // Direct key agreement, a weaker wrap, a weaker content encryption.
      await encrypt(jws, apiKey.publicKey, { kid: apiKey.kid, alg: 'ECDH-ES' }),
      await encrypt(jws, other.publicKey, { kid: apiKey.kid, alg: 'ECDH-ES+A128KW' }),
      await encrypt(jws, apiKey.publicKey, { kid: apiKey.kid, enc: 'A128GCM' }),
      // A shared secret ("dir"), which an attacker could know.
      await encrypt(jws, new Uint8Array(32), { kid: apiKey.kid, alg: 'dir' }),
    ]
    const good = await encrypt(jws, apiKey.publicKey, { kid: apiKey.kid })
    const [, ...rest] = good.split('.')
    for (const alg of ['none', 'None', 'NONE']) {
      const header = Buffer.from(JSON.stringify({ alg, enc: ENC, cty: 'JWT', kid: apiKey.kid })).toString('base64url')
      candidates.push([header, ...rest].join('.'))
    }
    for (const candidate of candidates) expect(await codeOf(verifier.verify(candidate))).toBe('invalid_token')
    await expect(verifier.verify(good)).resolves.toBeDefined()
  })

  it('refuses a tampered ciphertext, tag, IV, wrapped key or header', async () => {
    const { verifier, encrypted } = await setup()
    const good = await encrypted()
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url')
      bytes[0] = (bytes[0] as number) ^ 1
      return bytes.toString('base64url')
    }
    for (const index of [0, 1, 2, 3, 4]) {
      const parts = good.split('.')
      parts[index] = flip(parts[index] as string)
      expect(await codeOf(verifier.verify(parts.join('.'))), `part ${index}`).toBe('invalid_token')
    }
    await expect(verifier.verify(good)).resolves.toBeDefined()
  })

  it('refuses a JWE whose content is not a valid token of the issuer', async () => {
    const { verifier, token, apiKey, tessera, clock } = await setup()
    const seal = (text: string) => encrypt(text, apiKey.publicKey, { kid: apiKey.kid })
    const now = Math.floor(Date.now() / 1000)
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`
    for (const content of [
      'not a token',
      unsigned,
      await token({ iss: 'https://evil.example.test' }),
      await token({ aud: 'https://another-api.example.test' }),
      await token({ iat: now - 900, exp: now - 600 }),
      // A JWE inside the JWE.
      await encrypt(await token(), apiKey.publicKey, { kid: apiKey.kid }),
    ]) {
      expect(['invalid_token', 'token_expired']).toContain(await codeOf(verifier.verify(await seal(content))))
    }
    // Signed by a key the issuer does not publish.
    const rogue = await createSigningKey('ES256')
    const forged = await signToken(rogue, accessTokenClaims(tessera.issuer, AUDIENCE, clock.now()))
    expect(await codeOf(verifier.verify(await seal(forged)))).toBe('invalid_token')
  })

  it('refuses a JWE without cty JWT, with compression, or naming no configured key', async () => {
    const { verifier, token, apiKey } = await setup()
    const jws = await token()
    for (const header of [{ cty: undefined }, { cty: 'json' }, { kid: 'another-kid' }, { kid: undefined }]) {
      const candidate = await encrypt(jws, apiKey.publicKey, { kid: apiKey.kid, ...header })
      expect(await codeOf(verifier.verify(candidate))).toBe('invalid_token')
    }
  })

  it('refuses a non-canonical spelling of a good JWE (verified tokens are cached by their string)', async () => {
    const { verifier, encrypted } = await setup()
    const good = await encrypted()
    const parts = good.split('.')
    // The IV is 12 bytes, 16 characters exactly: append one with unused bits instead, on the tag (16 bytes, 22 chars).
    const tag = parts[4] as string
    const last = tag.at(-1) as string
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    parts[4] = tag.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1]
    expect(Buffer.from(parts[4], 'base64url')).toEqual(Buffer.from(tag, 'base64url'))
    expect(await codeOf(verifier.verify(parts.join('.')))).toBe('invalid_token')
    await expect(verifier.verify(good)).resolves.toBeDefined()
  })

  it('refuses signed-only tokens when encryption is required (the default), accepts them with required: false', async () => {
    const strict = await setup()
    expect(await codeOf(strict.verifier.verify(await strict.token()))).toBe('invalid_token')
    const lenient = await setup({ encryption: undefined })
    const migrating = lenient.another({ encryption: { keys: [lenient.apiKey.privateJwk], required: false } })
    await expect(migrating.verify(await lenient.token())).resolves.toBeDefined()
    await expect(migrating.verify(await lenient.encrypted())).resolves.toBeDefined()
  })

  it('refuses an encrypted token when no decryption key is configured', async () => {
    const { another, encrypted } = await setup()
    const plain = another({ encryption: undefined })
    expect(await codeOf(plain.verify(await encrypted()))).toBe('invalid_token')
  })

  it('takes the previous key too during a rotation, chosen by kid', async () => {
    const previous = await encryptionKey()
    const current = await encryptionKey()
    const { another, token } = await setup()
    const verifier = another({ encryption: { keys: [current.privateJwk, previous.privateJwk] } })
    for (const key of [previous, current]) {
      await expect(verifier.verify(await encrypt(await token(), key.publicKey, { kid: key.kid }))).resolves.toBeDefined()
    }
  })

  it('is revoked by the feed through the jti inside it (hybrid mode)', async () => {
    const { verifier, encrypted, tessera, clock } = await setup({ mode: 'hybrid' })
    const good = await encrypted({ jti: 'jti-enc' })
    await expect(verifier.verify(good)).resolves.toBeDefined()
    tessera.feed.append({ kind: 'access_token', jti: 'jti-enc', createdAt: clock.now(), expiresAt: clock.now() + 3_600_000 })
    await expect.poll(() => codeOf(verifier.verify(good)), { interval: 5 }).toBe('token_revoked')
  })

  it('refuses a misconfiguration at start-up: a public key, no kid, an empty list, session mode', async () => {
    const { privateJwk } = await encryptionKey()
    const { d: _d, ...publicJwk } = privateJwk
    const { kid: _kid, ...noKid } = privateJwk
    const { another } = await setup()
    for (const encryption of [{ keys: [publicJwk] }, { keys: [noKid] }, { keys: [] }, { keys: [{ ...privateJwk, alg: 'RSA-OAEP' }] }]) {
      expect(() => another({ encryption })).toThrow(expect.objectContaining({ code: 'invalid_configuration' }))
    }
    expect(() => another({ mode: 'session', encryption: { keys: [privateJwk] } })).toThrow(
      expect.objectContaining({ code: 'invalid_configuration' }),
    )
  })
})
