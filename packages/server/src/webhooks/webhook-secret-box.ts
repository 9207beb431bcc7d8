import { decryptPrivateKey, encryptPrivateKey } from '../keys/key-encryption.js'

/**
 * Webhook secrets at rest. Unlike client secrets they cannot be stored as a hash: Tessera needs
 * them to compute HMACs. So they are sealed like private signing keys (AES-256-GCM), under their
 * own subkey of the master key, with the endpoint id as additional data so a sealed secret cannot
 * be moved to another endpoint's row.
 */
export interface WebhookSecretBox {
  seal(endpointId: string, secret: string): string
  /** Throws when the key is wrong or the sealed value was tampered with. */
  open(endpointId: string, sealed: string): string
}

export function createWebhookSecretBox(key: Buffer): WebhookSecretBox {
  const aad = (endpointId: string) => `webhook-endpoint:${endpointId}`
  return {
    seal: (endpointId, secret) => encryptPrivateKey(key, aad(endpointId), secret),
    open: (endpointId, sealed) => decryptPrivateKey(key, aad(endpointId), sealed),
  }
}
