import { KeyObject, sign } from 'node:crypto'
import { compactVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { accessTokenClaims, createSigningKey, encodePart, type SigningKey } from '../../test/signing-keys.js'
import { AUDIENCE, codeOf, createFixture } from '../../test/verifier-fixture.js'
import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { checkClaims } from './check-claims.js'
import { checkHeader } from './check-header.js'

/**
 * The SDK reads a signed token by hand (tokens/compact-jws.ts, tokens/jwt-verifier.ts): the parts
 * found by position, the canonical form checked without decoding, the header remembered by its
 * text, the signing input, the signature and the payload decoded into one buffer, the signature
 * checked on node:crypto. jose parses the same tokens its own way. These tests run one corpus of
 * valid and broken tokens through the verifier and through a reference made of jose's
 * `compactVerify` and the SDK's written rules (the canonical form, `checkHeader`, `checkClaims`),
 * and require the same answer for every token: the same claims, or the same error code.
 */

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true })
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** Sign any bytes with any header, as an issuer (or a forger holding the key) could. */
function signBytes(key: SigningKey, header: Record<string, unknown>, payload: Uint8Array | string): string {
  const input = `${encodePart(header)}.${Buffer.from(payload).toString('base64url')}`
  const digest = key.alg === 'EdDSA' ? null : `sha${key.alg.slice(2)}`
  const signature = sign(digest, Buffer.from(input), { key: KeyObject.from(key.privateKey), dsaEncoding: 'ieee-p1363' })
  return `${input}.${signature.toString('base64url')}`
}

/** Each spelling of a part's bytes with one unused low bit of its last character set (none for 4n characters). */
function respellings(part: string): string[] {
  const value = ALPHABET.indexOf(part.slice(-1))
  const unusedBits = part.length % 4 === 2 ? 4 : part.length % 4 === 3 ? 2 : 0
  return Array.from({ length: unusedBits }, (_, bit) => `${part.slice(0, -1)}${ALPHABET[value | (1 << bit)]}`)
}

/** The reference: jose for the JWS, the SDK's written rules for everything jose does not decide. */
async function reference(
  token: string,
  keys: SigningKey[],
  rules: { issuer: string; now: number },
): Promise<{ claims: unknown } | { code: string }> {
  const parts = token.split('.')
  // docs/sdk.md, strict verification step 1: three canonical base64url parts, at most 8192 characters.
  const canonical = parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part)
  if (token.length > 8192 || parts.length !== 3 || !canonical) return { code: 'invalid_token' }
  try {
    let alg = ''
    const { payload, protectedHeader } = await compactVerify(
      token,
      async (header) => {
        checkHeader(header as Record<string, unknown>)
        const key = keys.find((candidate) => candidate.kid === header.kid)
        if (!key || key.alg !== header.alg) throw new TesseraAuthError('invalid_token')
        alg = key.alg
        return key.publicKey
      },
      { algorithms: ['ES256', 'RS256', 'EdDSA'] },
    )
    expect(protectedHeader.alg).toBe(alg)
    let parsed: unknown
    try {
      parsed = JSON.parse(STRICT_UTF8.decode(payload))
    } catch {
      return { code: 'invalid_token' }
    }
    return { claims: checkClaims(parsed, { issuer: rules.issuer, audience: AUDIENCE, now: rules.now, leeway: 5 }) }
  } catch (error) {
    return { code: error instanceof TesseraAuthError ? error.code : 'invalid_token' }
  }
}

describe('the hand-read JWS path agrees with jose', () => {
  it('gives the same answer as jose plus the written rules on a corpus of valid and broken tokens', async () => {
    const fixture = await createFixture({ jwksCooldown: 0 })
    const keys = [fixture.key, await createSigningKey('RS256'), await createSigningKey('EdDSA')]
    fixture.tessera.jwks.push(keys[1]?.publicJwk as never, keys[2]?.publicJwk as never)
    const now = fixture.clock.now()
    const claims = (overrides: Record<string, unknown> = {}) => accessTokenClaims(fixture.tessera.issuer, AUDIENCE, now, overrides)
    const corpus: { name: string; token: string }[] = []
    for (const key of keys) {
      const header = { alg: key.alg, kid: key.kid, typ: 'at+jwt' }
      const good = signBytes(key, header, JSON.stringify(claims()))
      const [h, p, s] = good.split('.') as [string, string, string]
      const signature = Buffer.from(s, 'base64url')
      const flipped = Buffer.from(signature)
      flipped[5] = (flipped[5] as number) ^ 0x10
      const add = (name: string, token: string) => corpus.push({ name: `${key.alg}: ${name}`, token })
      add('valid', good)
      // Many tokens behind one header text: the remembered header must never carry a verdict over.
      for (let i = 0; i < 3; i++) add(`valid, same header, token ${i}`, signBytes(key, header, JSON.stringify(claims())))
      add('same header, claims of another token, its signature', `${h}.${encodePart(claims({ sub: 'admin' }))}.${s}`)
      add(
        'same header, payload and signature of another key',
        `${h}.${p}.${signBytes(keys[(keys.indexOf(key) + 1) % 3] as SigningKey, header, JSON.stringify(claims())).split('.')[2]}`,
      )
      add('flipped signature bit', `${h}.${p}.${flipped.toString('base64url')}`)
      add('signature a byte short', `${h}.${p}.${signature.subarray(1).toString('base64url')}`)
      add('signature a byte long', `${h}.${p}.${Buffer.concat([signature, Buffer.from([7])]).toString('base64url')}`)
      add('signature of one byte', `${h}.${p}.${Buffer.from([1]).toString('base64url')}`)
      add('signature of the header instead', `${h}.${p}.${h}`)
      add('valid, application/at+jwt', signBytes(key, { ...header, typ: 'application/at+jwt' }, JSON.stringify(claims())))
      add(
        'valid, other header members, another order',
        signBytes(key, { kid: key.kid, typ: 'AT+JWT', x: [1, { y: 2 }], alg: key.alg }, JSON.stringify(claims())),
      )
      add('valid, claims beyond ASCII', signBytes(key, header, JSON.stringify(claims({ sub: 'usér-😀', extra: { nested: ['ü', 2] } }))))
      // A UTF-8 byte order mark: jose's jwtVerify (TextDecoder) and the SDK both drop it before JSON.parse.
      add(
        'payload after a byte order mark',
        signBytes(key, header, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(claims()))])),
      )
      add(
        'payload not UTF-8',
        signBytes(key, header, Buffer.concat([Buffer.from(JSON.stringify(claims()).slice(0, -1)), Buffer.from(',"x":"\xff"}', 'latin1')])),
      )
      add('payload not JSON', signBytes(key, header, 'not json'))
      add('payload a JSON array', signBytes(key, header, '[1,2]'))
      add('payload empty', signBytes(key, header, ''))
      add('payload a JSON string', signBytes(key, header, '"claims"'))
      add(
        'expired',
        signBytes(key, header, JSON.stringify(claims({ iat: Math.floor(now / 1000) - 900, exp: Math.floor(now / 1000) - 600 }))),
      )
      add('wrong audience', signBytes(key, header, JSON.stringify(claims({ aud: 'https://other.example' }))))
      add('header not JSON', `${encodePart('{"alg":')}.${p}.${s}`)
      add('header a JSON array', `${encodePart([key.alg])}.${p}.${s}`)
      add('header with typ JWT', signBytes(key, { ...header, typ: 'JWT' }, JSON.stringify(claims())))
      add('header with no kid', signBytes(key, { alg: key.alg, typ: 'at+jwt' }, JSON.stringify(claims())))
      add('header with an unknown kid', signBytes(key, { ...header, kid: 'nobody' }, JSON.stringify(claims())))
      add('header with crit', signBytes(key, { ...header, crit: ['exp'], exp: 1 }, JSON.stringify(claims())))
      add('header with jku', signBytes(key, { ...header, jku: 'https://attacker.example/jwks' }, JSON.stringify(claims())))
      add('header alg none', `${encodePart({ ...header, alg: 'none' })}.${p}.`)
      add(
        'header alg of another key',
        signBytes(key, { ...header, alg: key.alg === 'ES256' ? 'RS256' : 'ES256' }, JSON.stringify(claims())),
      )
      for (const spelling of respellings(h)) add('header respelled (an unused bit set)', `${spelling}.${p}.${s}`)
      for (const spelling of respellings(p)) add('payload respelled (an unused bit set)', `${h}.${spelling}.${s}`)
      for (const spelling of respellings(s)) add('signature respelled (an unused bit set)', `${h}.${p}.${spelling}`)
      add('padding', `${good}==`)
      add('a space in the signature', `${h}.${p}.${s.slice(0, 4)} ${s.slice(4)}`)
      // A signature with no '-' or '_' in base64url is spelled alike in standard base64 (for a random
      // 64-byte signature, about one run in 15): that token is the valid one, so it is not this case.
      const standard = signature.toString('base64').replace(/=+$/, '')
      if (standard !== s) add('standard base64 instead of base64url', `${h}.${p}.${standard}`)
      add('four parts', `${good}.${s}`)
      add('an empty payload part', `${h}..${s}`)
    }
    // Signatures of 64 and 256 bytes (86 and 342 characters) end in 4 unused bits: 4 respellings per algorithm.
    expect(corpus.filter(({ name }) => name.endsWith('signature respelled (an unused bit set)'))).toHaveLength(12)

    const outcomes = []
    for (const { name, token } of corpus) {
      const ours = await fixture.verifier.verify(token).then(
        (auth) => ({ claims: auth.claims }),
        (error: unknown) => ({ code: (error as { code?: string }).code ?? String(error) }),
      )
      const theirs = await reference(token, keys, { issuer: fixture.tessera.issuer, now })
      outcomes.push({ name, ours, theirs })
    }
    for (const { name, ours, theirs } of outcomes) expect(ours, name).toEqual(theirs)
    const accepted = outcomes.filter((outcome) => 'claims' in outcome.ours).map((outcome) => outcome.name.replace(/^\w+: /, ''))
    // Each algorithm accepts exactly its valid tokens (and the BOM case); everything else is refused.
    expect([...new Set(accepted)].sort()).toEqual(
      [
        'valid',
        'valid, same header, token 0',
        'valid, same header, token 1',
        'valid, same header, token 2',
        'valid, application/at+jwt',
        'valid, other header members, another order',
        'valid, claims beyond ASCII',
        'payload after a byte order mark',
      ].sort(),
    )
    expect(accepted).toHaveLength(8 * keys.length)
  })

  it('refuses a token that shares its header text with an accepted one but carries a forged signature, after the accepted one', async () => {
    const fixture = await createFixture()
    const good = await fixture.token()
    const [h, p] = good.split('.') as [string, string, string]
    await expect(fixture.verifier.verify(good)).resolves.toBeDefined()
    const forged = `${h}.${encodePart({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'admin' })}.${good.split('.')[2]}`
    expect(await codeOf(fixture.verifier.verify(forged))).toBe('invalid_token')
    await expect(fixture.verifier.verify(good)).resolves.toBeDefined()
  })
})
