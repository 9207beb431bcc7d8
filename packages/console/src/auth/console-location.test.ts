import { describe, expect, it } from 'vitest'
import { consoleLocation } from './console-location.js'

describe('consoleLocation', () => {
  it('derives the issuer and the registered redirect URI from any console page', () => {
    for (const href of [
      'https://id.example.com/console',
      'https://id.example.com/console/',
      'https://id.example.com/console/users/usr_1?x=1',
    ]) {
      expect(consoleLocation(href)).toEqual({
        issuer: 'https://id.example.com',
        base: '/console',
        redirectUri: 'https://id.example.com/console/callback',
        signedOutUri: 'https://id.example.com/console/signed-out',
      })
    }
  })

  it('keeps an issuer path (Tessera behind a path prefix)', () => {
    const where = consoleLocation('http://localhost:4000/auth/console/audit')
    expect(where.issuer).toBe('http://localhost:4000/auth')
    expect(where.base).toBe('/auth/console')
    expect(where.redirectUri).toBe('http://localhost:4000/auth/console/callback')
  })

  it('takes the first /console segment, so a user id named "console" cannot move the issuer', () => {
    expect(consoleLocation('https://id.example.com/console/users/console').issuer).toBe('https://id.example.com')
  })
})
