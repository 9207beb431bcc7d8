import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.js'

describe('private key encryption at rest', () => {
  const master = randomBytes(32)

  it('round-trips, with a fresh nonce each time', () => {
    const a = encryptPrivateKey(master, 'kid-1', 'secret pem')
    const b = encryptPrivateKey(master, 'kid-1', 'secret pem')
    expect(a).not.toBe(b)
    expect(a).not.toContain('secret pem')
    expect(decryptPrivateKey(master, 'kid-1', a)).toBe('secret pem')
  })

  it('refuses another master key, another kid, and any tampering', () => {
    const sealed = encryptPrivateKey(master, 'kid-1', 'secret pem')
    expect(() => decryptPrivateKey(randomBytes(32), 'kid-1', sealed)).toThrow()
    expect(() => decryptPrivateKey(master, 'kid-2', sealed)).toThrow()
    const [v, nonce, ciphertext, tag] = sealed.split('.') as [string, string, string, string]
    const flipped = Buffer.from(ciphertext, 'base64url')
    flipped[0] = (flipped[0] as number) ^ 1
    expect(() => decryptPrivateKey(master, 'kid-1', [v, nonce, flipped.toString('base64url'), tag].join('.'))).toThrow()
    expect(() => decryptPrivateKey(master, 'kid-1', 'v2.a.b.c')).toThrow()
  })
})
