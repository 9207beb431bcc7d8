import { describe, expect, it } from 'vitest'
import { isTesseraError } from '../shared/errors.js'
import { parseWebhookUrl, type UrlPolicy } from './webhook-url.js'

const STRICT: UrlPolicy = { allowInsecureDevelopment: false, production: false }
const DEVELOPMENT: UrlPolicy = { allowInsecureDevelopment: true, production: false }
const PRODUCTION_WITH_ALLOWANCE: UrlPolicy = { allowInsecureDevelopment: true, production: true }

function refusal(raw: string, policy: UrlPolicy): string | null {
  try {
    parseWebhookUrl(raw, policy)
    return null
  } catch (error) {
    return isTesseraError(error) ? error.code : 'not a TesseraError'
  }
}

describe('webhook URL shape', () => {
  it('accepts an https URL with a path and query', () => {
    expect(parseWebhookUrl('https://hooks.example.com/tessera?team=7', STRICT).href).toBe('https://hooks.example.com/tessera?team=7')
  })

  it('requires https unless the development allowance applies', () => {
    expect(refusal('http://hooks.example.com/', STRICT)).toBe('webhook_url_invalid')
    expect(refusal('http://127.0.0.1:8080/', DEVELOPMENT)).toBeNull()
  })

  it('requires https in production even for an endpoint registered with the allowance', () => {
    expect(refusal('http://127.0.0.1:8080/', PRODUCTION_WITH_ALLOWANCE)).toBe('webhook_url_invalid')
    expect(refusal('https://hooks.example.com/', PRODUCTION_WITH_ALLOWANCE)).toBeNull()
  })

  it('refuses other schemes, credentials, fragments, relative and over-long URLs', () => {
    for (const raw of [
      'ftp://hooks.example.com/',
      'file:///etc/passwd',
      'gopher://hooks.example.com/',
      'https://user:pass@hooks.example.com/',
      'https://user@hooks.example.com/',
      'https://hooks.example.com/#frag',
      '/relative/path',
      'not a url',
      `https://hooks.example.com/${'a'.repeat(2048)}`,
    ]) {
      expect(refusal(raw, DEVELOPMENT), raw).toBe('webhook_url_invalid')
    }
  })
})
