import { decryptPrivateKey, encryptPrivateKey } from '../keys/key-encryption.js'

/**
 * Connection client secrets at rest (issue 15). They cannot be hashed: Tessera sends them to the
 * upstream's token endpoint. Sealed with AES-256-GCM under their own subkey of the master key, like
 * TOTP and webhook secrets, with the connection id as additional data so a sealed secret cannot be
 * moved to another connection's row.
 */
export interface ConnectionSecretBox {
  seal(connectionId: string, secret: string): string
  /** Throws when the key is wrong or the sealed value was tampered with. */
  open(connectionId: string, sealed: string): string
}

export function createConnectionSecretBox(key: Buffer): ConnectionSecretBox {
  const aad = (connectionId: string) => `connection:${connectionId}`
  return {
    seal: (connectionId, secret) => encryptPrivateKey(key, aad(connectionId), secret),
    open: (connectionId, sealed) => decryptPrivateKey(key, aad(connectionId), sealed),
  }
}
