import { generateKeyPairSync } from 'node:crypto'
import {
  type CryptoKey,
  decodeProtectedHeader,
  errors,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  importSPKI,
  jwtVerify,
  SignJWT,
} from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { createSigner } from './jwt-signer.js'
import type { SigningAlgorithm } from './signing-key.js'

const ISSUER = 'https://id.example.test'
const AUDIENCE = 'https://api.example.test'
const NOW = 1_767_225_600
const ALGORITHMS: SigningAlgorithm[] = ['ES256', 'EdDSA', 'RS256', 'PS256']

interface Pair {
  privateKey: CryptoKey
  publicKey: CryptoKey
}

/** Keys as the key service holds them: generated, exported to PKCS#8 and imported back by jose. */
const pairs = new Map<SigningAlgorithm, Pair>()
beforeAll(async () => {
  for (const alg of ALGORITHMS) {
    const pair = await generateKeyPair(alg, {
      extractable: true,
      ...(alg.endsWith('S256') && alg !== 'ES256' ? { modulusLength: 2048 } : {}),
    })
    pairs.set(alg, { privateKey: await importPKCS8(await exportPKCS8(pair.privateKey), alg), publicKey: pair.publicKey })
  }
})

function pairOf(alg: SigningAlgorithm): Pair {
  return pairs.get(alg) as Pair
}

function claims(): Record<string, unknown> {
  // Non-ASCII on purpose: the payload is UTF-8 JSON (RFC 7519 §7.1).
  return {
    client_id: 'app_1',
    scope: 'orders:read',
    name: 'Zoë 🦊',
    iss: ISSUER,
    sub: 'app_1',
    aud: AUDIENCE,
    iat: NOW,
    exp: NOW + 300,
    jti: 'j1',
  }
}

function verify(token: string, alg: SigningAlgorithm, typ = 'at+jwt') {
  return jwtVerify(token, pairOf(alg).publicKey, {
    algorithms: [alg],
    issuer: ISSUER,
    audience: AUDIENCE,
    typ,
    currentDate: new Date(NOW * 1000),
  })
}

/** Flips one bit of a base64url segment: still well-formed, no longer what was signed. */
function tamper(token: string, segment: 0 | 1 | 2): string {
  const parts = token.split('.')
  const bytes = Buffer.from(parts[segment] as string, 'base64url')
  const at = segment === 2 ? 0 : bytes.length - 2
  bytes[at] = (bytes[at] as number) ^ 0x01
  parts[segment] = bytes.toString('base64url')
  return parts.join('.')
}

describe('the server signer (node:crypto on a key jose imported)', () => {
  for (const alg of ALGORITHMS) {
    describe(alg, () => {
      it('signs a JWT that jose verifies, with the protected header { alg, kid, typ } and the claims as written', async () => {
        const signer = createSigner('kid-1', alg, pairOf(alg).privateKey)
        const token = await signer.sign('at+jwt', claims())
        expect(decodeProtectedHeader(token)).toEqual({ alg, kid: 'kid-1', typ: 'at+jwt' })
        const { payload, protectedHeader } = await verify(token, alg)
        expect(protectedHeader).toEqual({ alg, kid: 'kid-1', typ: 'at+jwt' })
        expect(payload).toEqual(claims())
        // The same on the thread pool, as an access token issued outside a transaction signs.
        const offLoop = await signer.sign('at+jwt', claims(), { offLoop: true })
        expect((await verify(offLoop, alg)).payload).toEqual(claims())
        // Each typ keeps its own header.
        const idToken = await signer.sign('JWT', claims())
        expect((await verify(idToken, alg, 'JWT')).protectedHeader).toEqual({ alg, kid: 'kid-1', typ: 'JWT' })
        await expect(verify(idToken, alg, 'at+jwt')).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed)
      })

      it('makes tokens jose refuses once the header, the payload or the signature is altered', async () => {
        const token = await createSigner('kid-1', alg, pairOf(alg).privateKey).sign('at+jwt', claims())
        for (const segment of [0, 1, 2] as const) {
          await expect(verify(tamper(token, segment), alg)).rejects.toBeInstanceOf(errors.JOSEError)
        }
        // Another key's signature over the same input does not pass either.
        const other = ALGORITHMS.find((name) => name !== alg) as SigningAlgorithm
        const forged = await createSigner('kid-1', other, pairOf(other).privateKey).sign('at+jwt', claims())
        await expect(verify(forged, alg)).rejects.toBeInstanceOf(errors.JOSEError)
      })
    })
  }

  // RS256 and Ed25519 signatures are deterministic: the same header and claims must give jose's bytes exactly.
  for (const alg of ['RS256', 'EdDSA'] as const) {
    it(`writes the very token jose's SignJWT writes for ${alg}`, async () => {
      const { privateKey } = pairOf(alg)
      const signer = createSigner('kid-1', alg, privateKey)
      const theirs = await new SignJWT(claims()).setProtectedHeader({ alg, kid: 'kid-1', typ: 'logout+jwt' }).sign(privateKey)
      expect(await signer.sign('logout+jwt', claims())).toBe(theirs)
      expect(await signer.sign('logout+jwt', claims(), { offLoop: true })).toBe(theirs)
    })
  }

  it('refuses a non-finite iat, exp or nbf instead of writing it as null', async () => {
    const signer = createSigner('kid-1', 'ES256', pairOf('ES256').privateKey)
    for (const [name, value] of [
      ['iat', Number.NaN],
      ['exp', Number.POSITIVE_INFINITY],
      ['nbf', '1767225600'],
    ] as const) {
      await expect(signer.sign('at+jwt', { ...claims(), [name]: value })).rejects.toThrow(TypeError)
    }
  })

  it('refuses a key that is not a private key for its algorithm (RFC 8725 §3.1)', async () => {
    // jose imports a P-384 key for ECDSA without an alg check of its own here: the signer must not sign ES256 with it.
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    const p384Key = await importPKCS8(p384, 'ES384')
    expect(() => createSigner('kid-1', 'ES256', p384Key)).toThrow(TypeError)
    expect(() => createSigner('kid-1', 'RS256', pairOf('ES256').privateKey)).toThrow(TypeError)
    expect(() => createSigner('kid-1', 'EdDSA', pairOf('PS256').privateKey)).toThrow(TypeError)
    const publicKey = await importSPKI(await exportSPKI(pairOf('ES256').publicKey), 'ES256', { extractable: true })
    expect(() => createSigner('kid-1', 'ES256', publicKey)).toThrow(TypeError)
  })
})
