import { parse } from 'fast-querystring'
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../test/seeded-random.js'
import { parseForm } from './form-parse.js'

// http/form-parse.ts must parse every body as fast-querystring does (issue 17: its shortcut for a
// one-parameter body is only a cheaper way to the same result).

/** The fields and the prototype chain's depth, which fast-querystring's result has (one level, then null). */
function shape(fields: Record<string, unknown>) {
  const prototype = Object.getPrototypeOf(fields)
  return {
    entries: Object.entries(fields),
    prototypeIsNullChain: prototype !== null && Object.getPrototypeOf(prototype) === null,
  }
}

function randomBody(random: () => number, alphabet: string, maxLength: number): string {
  const length = Math.floor(random() * maxLength)
  let body = ''
  for (let i = 0; i < length; i++) body += alphabet[Math.floor(random() * alphabet.length)]
  return body
}

describe('parseForm', () => {
  it('parses the usual introspection body, one plain parameter, as fast-querystring does', () => {
    for (const body of ['token=abc.def', 'token=a.b==', 'token==x', 'token=', '__proto__=x', 'toString=y', 'a=b=c']) {
      expect(shape(parseForm(body)), body).toEqual(shape(parse(body)))
    }
  })

  it('parses encoded, repeated, empty and keyless bodies as fast-querystring does', () => {
    for (const body of ['', '=', '=x', 'token', 'a&b', 'a=1&a=2', 'a+b=c+d', 'token=%41%zz', 'x=%E2%82%AC', '&&', 'a=&=b&']) {
      expect(shape(parseForm(body)), body).toEqual(shape(parse(body)))
    }
  })

  it('agrees with fast-querystring on 20,000 random bodies', () => {
    const random = seededRandom(17)
    for (const alphabet of ['ab=.', 'ab=&%+.', 'a=%2B41&_-~.', 'tokn=._-0123456789abcdefXYZ']) {
      for (let i = 0; i < 5_000; i++) {
        const body = randomBody(random, alphabet, 24)
        expect(shape(parseForm(body)), JSON.stringify(body)).toEqual(shape(parse(body)))
      }
    }
  })
})
