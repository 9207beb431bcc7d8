import { createHmac } from 'node:crypto'
import type { RandomSource } from '../shared/random.js'

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): a secret is `whsec_` plus the
 * base64 of random bytes; a signature is `v1,` plus the base64 HMAC-SHA256 of
 * `${id}.${timestamp}.${body}`, keyed by the decoded bytes.
 */
const PREFIX = 'whsec_'
/** 256 bits: the spec allows 24 to 64 bytes. */
const SECRET_BYTES = 32

export function generateWebhookSecret(random: RandomSource): string {
  return `${PREFIX}${random.bytes(SECRET_BYTES).toString('base64')}`
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new Error('a webhook secret starts with whsec_')
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64')
  if (key.length < 24) throw new Error('a webhook secret holds at least 24 bytes')
  return key
}

export interface SignedContent {
  /** The `webhook-id`: the same on every attempt of one delivery. */
  id: string
  /** The `webhook-timestamp`: Unix seconds of this attempt. */
  timestamp: number
  body: string
}

/**
 * The `webhook-signature` header: one `v1,<sig>` per secret, space-separated, so that during a
 * rotation a receiver holding either the new or the old secret can verify.
 * @example
 * signWebhook({ id: 'msg_…', timestamp: 1767225600, body: '{"type":…}' }, [secret])
 */
export function signWebhook(content: SignedContent, secrets: readonly string[]): string {
  const signed = `${content.id}.${content.timestamp}.${content.body}`
  return secrets.map((secret) => `v1,${createHmac('sha256', keyOf(secret)).update(signed, 'utf8').digest('base64')}`).join(' ')
}
