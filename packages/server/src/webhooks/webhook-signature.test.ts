import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { atSystemTime } from '../../test/webhook-fixture.js'
import { cryptoRandom } from '../shared/random.js'
import { generateWebhookSecret, signWebhook } from './webhook-signature.js'

const AT = Date.parse('2026-01-01T00:00:00Z')
const content = { id: 'msg_2KWPBgLlAfxdpx2AI54pPJ', timestamp: AT / 1000, body: '{"type":"session.revoked","data":{}}' }

/** The receiver's side, done by the standardwebhooks package (third-party code, not ours). */
function verify(secret: string, signature: string, overrides: Partial<typeof content> = {}) {
  const signed = { ...content, ...overrides }
  const headers = { 'webhook-id': signed.id, 'webhook-timestamp': String(signed.timestamp), 'webhook-signature': signature }
  return atSystemTime(AT, () => new Webhook(secret).verify(signed.body, headers))
}

describe('webhook signatures (Standard Webhooks)', () => {
  it('generates whsec_ secrets of 32 random bytes, base64', () => {
    const secret = generateWebhookSecret(cryptoRandom)
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32)
    expect(generateWebhookSecret(cryptoRandom)).not.toBe(secret)
  })

  it('signs so that the standardwebhooks package verifies the delivery', () => {
    const secret = generateWebhookSecret(cryptoRandom)
    const signature = signWebhook(content, [secret])
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/)
    expect(verify(secret, signature)).toEqual({ type: 'session.revoked', data: {} })
  })

  it('signs exactly as the reference implementation does', () => {
    const secret = generateWebhookSecret(cryptoRandom)
    expect(signWebhook(content, [secret])).toBe(new Webhook(secret).sign(content.id, new Date(AT), content.body))
  })

  it('sends one signature per secret during a rotation, and a receiver holding either verifies', () => {
    const next = generateWebhookSecret(cryptoRandom)
    const previous = generateWebhookSecret(cryptoRandom)
    const signature = signWebhook(content, [next, previous])
    expect(signature.split(' ')).toHaveLength(2)
    expect(verify(next, signature)).toBeDefined()
    expect(verify(previous, signature)).toBeDefined()
    expect(() => verify(generateWebhookSecret(cryptoRandom), signature)).toThrow(WebhookVerificationError)
  })

  it('binds the id, the timestamp and the body: changing any fails verification', () => {
    const secret = generateWebhookSecret(cryptoRandom)
    const signature = signWebhook(content, [secret])
    expect(() => verify(secret, signature, { body: `${content.body} ` })).toThrow(WebhookVerificationError)
    expect(() => verify(secret, signature, { id: 'msg_other' })).toThrow(WebhookVerificationError)
    expect(() => verify(secret, signature, { timestamp: content.timestamp + 1 })).toThrow(WebhookVerificationError)
  })

  it('refuses to sign with something that is not a whsec_ secret', () => {
    expect(() => signWebhook(content, ['not-a-secret'])).toThrow()
    expect(() => signWebhook(content, ['whsec_c2hvcnQ='])).toThrow()
  })
})
