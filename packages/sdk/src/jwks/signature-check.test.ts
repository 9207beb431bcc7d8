import { constants, createPrivateKey, sign as nodeSign } from 'node:crypto'
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { signatureCheck } from './signature-check.js'

/**
 * The SDK verifies signatures with node:crypto on a KeyObject instead of jose's WebCrypto path
 * (issue 17, target 6). These tests prove the two agree, token by token: the same tokens accepted
 * and the same refused, for every algorithm the SDK allows.
 */

const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const
const CURVE_ORDER: Record<string, bigint> = {
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  ES384: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  ES512:
    0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
}

const encoder = new TextEncoder()
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

async function keysFor(alg: string) {
  const own = await generateKeyPair(alg, {
    extractable: true,
    ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}),
  })
  const other = await generateKeyPair(alg, {
    extractable: true,
    ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}),
  })
  const publicJwk = await exportJWK(own.publicKey)
  const imported = await importJWK({ ...publicJwk, alg }, alg)
  if (imported instanceof Uint8Array) throw new Error('expected an asymmetric key')
  return { own, other, imported }
}

/** A set of tokens, the first valid, every other one broken in a different way. */
async function tokensFor(alg: string, keys: Awaited<ReturnType<typeof keysFor>>): Promise<{ name: string; token: string }[]> {
  const header = { alg, typ: 'at+jwt', kid: 'k1' }
  const payload = encoder.encode(JSON.stringify({ sub: 'usr_1', exp: 2_000_000_000 }))
  const valid = await new CompactSign(payload).setProtectedHeader(header).sign(keys.own.privateKey)
  const [h, p, s] = valid.split('.') as [string, string, string]
  const signature = Buffer.from(s, 'base64url')
  const flipped = Buffer.from(signature)
  flipped[flipped.length - 1] = (flipped.at(-1) as number) ^ 1
  const tokens = [
    { name: 'valid', token: valid },
    { name: 'flipped signature bit', token: `${h}.${p}.${b64(flipped)}` },
    { name: 'other payload', token: `${h}.${b64(encoder.encode('{"sub":"usr_2"}'))}.${s}` },
    { name: 'signed by another key', token: await new CompactSign(payload).setProtectedHeader(header).sign(keys.other.privateKey) },
    { name: 'truncated signature', token: `${h}.${p}.${b64(signature.subarray(0, signature.length - 1))}` },
    { name: 'signature with a byte more', token: `${h}.${p}.${b64(Buffer.concat([signature, Buffer.from([0])]))}` },
    { name: 'empty signature', token: `${h}.${p}.` },
    { name: 'zero signature', token: `${h}.${p}.${b64(Buffer.alloc(signature.length))}` },
  ]
  const privateKey = createPrivateKey({ key: (await exportJWK(keys.own.privateKey)) as never, format: 'jwk' })
  const input = Buffer.from(`${h}.${p}`)
  if (alg.startsWith('ES')) {
    const digest = `sha${alg.slice(2)}`
    // The ASN.1 (DER) form of a valid ECDSA signature: not the JOSE form (RFC 7518 §3.4).
    tokens.push({ name: 'DER-encoded ECDSA signature', token: `${h}.${p}.${b64(nodeSign(digest, input, privateKey))}` })
    // The malleable twin (r, n - s): whatever jose decides, the SDK must decide the same.
    const half = signature.length / 2
    const order = CURVE_ORDER[alg] as bigint
    const sValue = BigInt(`0x${signature.subarray(half).toString('hex')}`)
    const twin = Buffer.from((order - sValue).toString(16).padStart(half * 2, '0'), 'hex')
    tokens.push({ name: 'high-S twin', token: `${h}.${p}.${b64(Buffer.concat([signature.subarray(0, half), twin]))}` })
  }
  if (alg.startsWith('PS')) {
    // RFC 7518 §3.5: the salt is as long as the digest; a zero-length salt is another signature.
    const digest = `sha${alg.slice(2)}`
    const unsalted = nodeSign(digest, input, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 0 })
    tokens.push({ name: 'PSS with an empty salt', token: `${h}.${p}.${b64(unsalted)}` })
  }
  if (alg.startsWith('RS')) {
    // The same key, RSASSA-PSS instead of PKCS #1 v1.5.
    const digest = `sha${alg.slice(2)}`
    const pss = nodeSign(digest, input, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING })
    tokens.push({ name: 'PSS signature for a PKCS #1 alg', token: `${h}.${p}.${b64(pss)}` })
  }
  return tokens
}

async function joseAccepts(token: string, key: Parameters<typeof compactVerify>[1], alg: string): Promise<boolean> {
  try {
    await compactVerify(token, key, { algorithms: [alg] })
    return true
  } catch {
    return false
  }
}

describe('signature checks on node:crypto agree with jose', () => {
  for (const alg of ALGORITHMS) {
    it(`${alg}: accepts the valid token, refuses every broken one, exactly as jose does`, async () => {
      const keys = await keysFor(alg)
      const check = signatureCheck(alg, keys.imported)
      if (!check) throw new Error(`no check for ${alg}`)
      const decisions = []
      for (const { name, token } of await tokensFor(alg, keys)) {
        const [h, p, s] = token.split('.') as [string, string, string]
        const ours = check(Buffer.from(`${h}.${p}`), Buffer.from(s, 'base64url'))
        decisions.push({ name, ours, jose: await joseAccepts(token, keys.imported, alg) })
      }
      for (const decision of decisions) expect(decision.ours, decision.name).toBe(decision.jose)
      const accepted = decisions.filter((d) => d.ours).map((d) => d.name)
      expect(accepted[0]).toBe('valid')
      expect(accepted.filter((name) => name !== 'valid' && name !== 'high-S twin')).toEqual([])
    })
  }

  it('has no check for an algorithm outside the table', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true })
    expect(signatureCheck('HS256', publicKey)).toBeNull()
    expect(signatureCheck('none', publicKey)).toBeNull()
  })
})
