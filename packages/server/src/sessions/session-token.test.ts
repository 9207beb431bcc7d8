import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { cryptoRandom, type RandomSource } from '../shared/random.js'
import { isSessionId, issueSessionToken, parseSessionToken } from './session-token.js'

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/

/** A random source that returns the given bytes in turn, so a test knows the secret it issued. */
function fixedRandom(...chunks: Buffer[]): RandomSource {
  const queue = [...chunks]
  return {
    bytes(length) {
      const next = queue.shift()
      if (!next || next.length !== length) throw new Error(`unexpected request for ${length} bytes`)
      return next
    },
  }
}

const A_TOKEN = `${'A'.repeat(22)}.${'b'.repeat(43)}`

describe('issueSessionToken', () => {
  it('issues tokens shaped <22-char id>.<43-char secret> in base64url without padding', () => {
    for (let i = 0; i < 200; i++) expect(issueSessionToken(cryptoRandom).token).toMatch(TOKEN_SHAPE)
  })

  it('draws a 128-bit id and a 256-bit secret from the random source', () => {
    const id = Buffer.alloc(16, 0xfb)
    const secret = Buffer.alloc(32, 0xff)
    const issued = issueSessionToken(fixedRandom(id, secret))
    expect(issued.id).toBe(id.toString('base64url'))
    expect(issued.token).toBe(`${id.toString('base64url')}.${secret.toString('base64url')}`)
    expect(issued.token).toMatch(TOKEN_SHAPE)
  })

  it('returns the id as the public half of the token', () => {
    const issued = issueSessionToken(cryptoRandom)
    expect(issued.token.split('.')[0]).toBe(issued.id)
    expect(isSessionId(issued.id)).toBe(true)
  })

  it('never repeats an id or a secret across many draws', () => {
    const ids = new Set<string>()
    const secrets = new Set<string>()
    const draws = 10_000
    for (let i = 0; i < draws; i++) {
      const issued = issueSessionToken(cryptoRandom)
      ids.add(issued.id)
      secrets.add(issued.token.split('.')[1] as string)
    }
    expect(ids.size).toBe(draws)
    expect(secrets.size).toBe(draws)
  })

  it('keeps only the SHA-256 of the secret, never the secret itself', () => {
    const issued = issueSessionToken(cryptoRandom)
    const secret = issued.token.split('.')[1] as string
    expect(issued.secretHash).toBe(createHash('sha256').update(secret).digest('base64url'))
    expect(issued.secretHash).not.toContain(secret)
    expect(JSON.stringify({ id: issued.id, secretHash: issued.secretHash })).not.toContain(secret)
  })
})

describe('parseSessionToken', () => {
  it('returns the id and the hash an issued token was stored with', () => {
    const issued = issueSessionToken(cryptoRandom)
    expect(parseSessionToken(issued.token)).toEqual({ id: issued.id, secretHash: issued.secretHash })
  })

  it('returns a SHA-256 of the secret and never the secret', () => {
    const parsed = parseSessionToken(A_TOKEN)
    expect(parsed).toEqual({ id: 'A'.repeat(22), secretHash: createHash('sha256').update('b'.repeat(43)).digest('base64url') })
    expect(Object.values(parsed ?? {})).not.toContain('b'.repeat(43))
  })

  it('accepts every base64url character', () => {
    expect(parseSessionToken(`${'-_09azAZ'.repeat(3).slice(0, 22)}.${'-_09azAZ'.repeat(6).slice(0, 43)}`)).not.toBeNull()
  })

  const id = 'A'.repeat(22)
  const secret = 'b'.repeat(43)
  it.each([
    ['empty', ''],
    ['a dot alone', '.'],
    ['only the id', id],
    ['the id and a dot', `${id}.`],
    ['only the secret', `.${secret}`],
    ['no dot', `${id}${secret}`],
    ['an extra dot at the end', `${id}.${secret}.`],
    ['an extra dot inside the secret', `${id}.${secret.slice(0, 20)}.${secret.slice(20)}`],
    ['two secrets', `${id}.${secret}.${secret}`],
    ['a short id', `${id.slice(1)}.${secret}`],
    ['a long id', `${id}A.${secret}`],
    ['a short secret', `${id}.${secret.slice(1)}`],
    ['a long secret', `${id}.${secret}b`],
    ['= padding on the secret', `${id}.${secret.slice(1)}=`],
    ['= padding after the secret', `${id}.${secret}=`],
    ['= padding on the id', `${id.slice(2)}==.${secret}`],
    ['standard base64 + and /', `${id.slice(1)}+.${secret.slice(1)}/`],
    ['a leading space', ` ${id}.${secret}`],
    ['a trailing space', `${id}.${secret} `],
    ['an inner space', `${id}.${secret.slice(0, 10)} ${secret.slice(11)}`],
    ['a trailing newline', `${id}.${secret}\n`],
    ['a leading newline', `\n${id}.${secret}`],
    ['a NUL byte', `${id}.${secret.slice(1)}\0`],
    ['a non-ASCII letter', `${id.slice(1)}é.${secret}`],
    ['a Bearer prefix', `Bearer ${id}.${secret}`],
    ['a 10 KB string', 'A'.repeat(10_240)],
    ['a 10 KB string with a dot', `${'A'.repeat(5_000)}.${'b'.repeat(5_240)}`],
    ['a valid token repeated', `${id}.${secret}${id}.${secret}`],
  ])('refuses %s', (_name, token) => {
    expect(parseSessionToken(token)).toBeNull()
  })
})

describe('isSessionId', () => {
  it('accepts exactly 22 base64url characters', () => {
    expect(isSessionId('A'.repeat(22))).toBe(true)
    expect(isSessionId('-_'.repeat(11))).toBe(true)
  })

  it.each([
    ['empty', ''],
    ['21 characters', 'A'.repeat(21)],
    ['23 characters', 'A'.repeat(23)],
    ['a whole token', A_TOKEN],
    ['padding', `${'A'.repeat(20)}==`],
    ['a path separator', `${'A'.repeat(21)}/`],
    ['a trailing newline', `${'A'.repeat(22)}\n`],
  ])('refuses %s', (_name, value) => {
    expect(isSessionId(value)).toBe(false)
  })
})
