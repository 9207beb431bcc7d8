import { describe, expect, it } from 'vitest'
import { TesseraError } from '../shared/errors.js'
import { allowedWebOrigins, checkWebOrigin, checkWebOrigins } from './web-origin.js'

function refusal(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(TesseraError)
    expect((error as TesseraError).code).toBe('invalid_request')
    return (error as TesseraError).detail ?? ''
  }
  throw new Error('not refused')
}

describe('web origins', () => {
  it('accepts https origins and loopback http origins, as a browser writes them in Origin', () => {
    for (const origin of [
      'https://spa.example.com',
      'https://spa.example.com:8443',
      'http://localhost:5173',
      'http://127.0.0.1:3000',
      'http://[::1]:8080',
    ]) {
      expect(checkWebOrigin(origin)).toBe(origin)
    }
    // Case-insensitive host, serialised in lower case as browsers send it.
    expect(checkWebOrigin('https://SPA.Example.com')).toBe('https://spa.example.com')
  })

  it('refuses paths, trailing slashes, default ports, user info, wildcards, plain http and non-origins', () => {
    for (const value of [
      'https://spa.example.com/',
      'https://spa.example.com/app',
      'https://spa.example.com?x=1',
      'https://spa.example.com:443',
      'https://user@spa.example.com',
      'https://*.example.com',
      '*',
      'null',
      'http://spa.example.com',
      'ftp://spa.example.com',
      'com.example.app:/callback',
      'spa.example.com',
      '',
    ]) {
      expect(refusal(() => checkWebOrigin(value))).toMatch(/web origin/)
    }
  })

  it('belong to browser-facing types only, de-duplicated, at most twenty', () => {
    expect(checkWebOrigins(['https://a.example', 'https://A.example'], 'spa')).toEqual(['https://a.example'])
    expect(checkWebOrigins(['https://a.example'], 'web')).toEqual(['https://a.example'])
    expect(checkWebOrigins([], 'm2m')).toEqual([])
    expect(refusal(() => checkWebOrigins(['https://a.example'], 'm2m'))).toMatch(/no web origins/)
    expect(refusal(() => checkWebOrigins(['https://a.example'], 'resource-server'))).toMatch(/no web origins/)
    const many = Array.from({ length: 21 }, (_, index) => `https://app${index}.example`)
    expect(refusal(() => checkWebOrigins(many, 'spa'))).toMatch(/at most 20/)
  })

  it("default to a single-page app's redirect URI origins, and to none for other types", () => {
    const redirectUris = ['https://spa.example.com/callback', 'https://spa.example.com/silent', 'http://localhost:5173/cb']
    expect(allowedWebOrigins({ type: 'spa', webOrigins: null, redirectUris })).toEqual(['https://spa.example.com', 'http://localhost:5173'])
    expect(allowedWebOrigins({ type: 'web', webOrigins: null, redirectUris })).toEqual([])
    expect(allowedWebOrigins({ type: 'native', webOrigins: null, redirectUris: ['com.example.app:/cb'] })).toEqual([])
    expect(allowedWebOrigins({ type: 'spa', webOrigins: [], redirectUris })).toEqual([])
    expect(allowedWebOrigins({ type: 'web', webOrigins: ['https://x.example'], redirectUris })).toEqual(['https://x.example'])
  })
})
