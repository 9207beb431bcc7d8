import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseBasic } from './client-authentication.js'

// RFC 6749 §2.3.1: the client id and secret are form-urlencoded, joined by a colon, then base64.
// Issue 17 decodes the base64 with `atob` where that gives the same text; these pin the decoding to
// what `Buffer.from(…, 'base64').toString('utf8')` gives, for every input shape.

/** The decoding Basic credentials had before issue 17's `atob`: the reference. */
function bufferDecoded(header: string): { id: string; secret: string } {
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '))
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) }
}

const basic = (text: string | Buffer) => `Basic ${Buffer.from(text).toString('base64')}`

describe('Basic credentials (RFC 6749 §2.3.1)', () => {
  it('decodes form-urlencoded ids and secrets, ASCII or not, as UTF-8', () => {
    const id = 'client é/ü+1'
    const secret = 'sëcret: 100% 💡'
    const encoded = `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`
    expect(parseBasic(basic(encoded))).toEqual({ id, secret })
    expect(parseBasic(basic('a+b:c%2Bd'))).toEqual({ id: 'a b', secret: 'c+d' })
    // Not form-encoded, raw UTF-8 bytes above 0x7f: decoded as UTF-8, not one character per byte.
    expect(parseBasic(basic('clïent:sécret'))).toEqual({ id: 'clïent', secret: 'sécret' })
  })

  it('decodes padding and lengths as Buffer does, including what atob refuses', () => {
    // "abc:def" is YWJjOmRlZg== in full: without padding, with one '=' too few, and with a '=' too many.
    for (const encoded of ['YWJjOmRlZg==', 'YWJjOmRlZg', 'YWJjOmRlZg=', 'YWJjOmRlZg===', 'YWJjOmRlZgA']) {
      expect(parseBasic(`Basic ${encoded}`), encoded).toEqual(bufferDecoded(`Basic ${encoded}`))
    }
    expect(parseBasic('Basic YWJjOmRlZg=')).toEqual({ id: 'abc', secret: 'def' })
    // Five characters past a whole group: atob refuses, Buffer drops the last.
    expect(parseBasic('Basic YWJjOmRlZmdoa')).toEqual(bufferDecoded('Basic YWJjOmRlZmdoa'))
  })

  it('agrees with the Buffer decoding on random bytes', () => {
    for (let round = 0; round < 2000; round++) {
      const id = randomBytes(1 + (round % 23)).toString(round % 3 === 0 ? 'latin1' : 'base64url')
      const secret = randomBytes(round % 50).toString(round % 5 === 0 ? 'utf8' : 'base64url')
      const text =
        round % 2
          ? `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`
          : `${id.replaceAll(/[:%+]/g, '')}:${secret.replaceAll(/[%+]/g, '')}`
      const header = basic(text).replace(/=+$/, round % 4 === 0 ? '' : '$&')
      expect(parseBasic(header), header).toEqual(bufferDecoded(header))
    }
  })
})
