import { describe, expect, it } from 'vitest'
import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { authErrorResponse } from './auth-error-response.js'
import { readBearerToken } from './bearer-token.js'

describe('reading a bearer token (RFC 6750 §2.1)', () => {
  it('takes the token of a Bearer header, in any case of the scheme', () => {
    expect(readBearerToken('Bearer abc.def-_~+/==')).toBe('abc.def-_~+/==')
    expect(readBearerToken('bearer abc')).toBe('abc')
  })

  it('calls no header or another scheme a missing token, and a malformed one an invalid request', () => {
    const code = (value: Parameters<typeof readBearerToken>[0]) => {
      try {
        readBearerToken(value)
        return 'read'
      } catch (error) {
        return (error as TesseraAuthError).code
      }
    }
    expect([undefined, null, '', 'Basic abc', 'Bearerabc'].map(code)).toEqual(Array(5).fill('missing_token'))
    expect(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer a,b', 'Bearer "a"', ['Bearer a', 'Bearer b']].map(code)).toEqual(
      Array(6).fill('invalid_request'),
    )
  })

  it('quotes the realm safely in the challenge', () => {
    const answer = authErrorResponse(new TesseraAuthError('invalid_token'), 'a "quoted" \\ realm\r\n')
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="a \\"quoted\\" \\\\ realm", error="invalid_token"')
  })
})
