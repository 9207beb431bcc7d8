import { decryptPrivateKey, encryptPrivateKey } from '../keys/key-encryption.js'

/**
 * TOTP secrets at rest (issue 13: encrypted with a subkey of the master key). They cannot be
 * hashed: the server needs them to compute codes. Sealed with AES-256-GCM like signing keys, with
 * the factor id as additional data so a sealed secret cannot be moved to another factor's row.
 */
export interface TotpSecretBox {
  seal(factorId: string, secret: string): string
  /** Throws when the key is wrong or the sealed value was tampered with. */
  open(factorId: string, sealed: string): string
}

export function createTotpSecretBox(key: Buffer): TotpSecretBox {
  const aad = (factorId: string) => `mfa-factor:${factorId}`
  return {
    seal: (factorId, secret) => encryptPrivateKey(key, aad(factorId), secret),
    open: (factorId, sealed) => decryptPrivateKey(key, aad(factorId), sealed),
  }
}
