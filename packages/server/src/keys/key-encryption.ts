import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/**
 * Private keys at rest: AES-256-GCM under the master key, with a fresh 96-bit nonce per
 * encryption and the key id as additional authenticated data, so a ciphertext cannot be moved
 * to another key's row. Format: `v1.<nonce>.<ciphertext>.<tag>` (base64url).
 */
export function encryptPrivateKey(masterKey: Buffer, kid: string, plaintext: string): string {
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', masterKey, nonce)
  cipher.setAAD(Buffer.from(kid, 'utf8'))
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return ['v1', nonce, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.')
}

/** Throws when the master key is wrong or the ciphertext was tampered with. */
export function decryptPrivateKey(masterKey: Buffer, kid: string, sealed: string): string {
  const [version, nonce, ciphertext, tag] = sealed.split('.')
  if (version !== 'v1' || !nonce || !ciphertext || !tag) throw new Error('unknown private key format')
  const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(nonce, 'base64url'))
  decipher.setAAD(Buffer.from(kid, 'utf8'))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
}
