import { describe, expect, it } from 'vitest'
import { createWordRanks, rankedDictionaryView } from './word-ranks.js'

describe('createWordRanks', () => {
  it('gives each word its 1-based rank, and nothing for any other string', () => {
    const ranks = createWordRanks('password\n123456\nqwerty\npass')
    expect([ranks.rank('password'), ranks.rank('123456'), ranks.rank('qwerty'), ranks.rank('pass')]).toEqual([1, 2, 3, 4])
    for (const other of ['', 'passwor', 'passwordx', 'Password', 'password\n123456', '\n', 'qwert', 'pas']) {
      expect(ranks.rank(other), JSON.stringify(other)).toBeUndefined()
    }
    expect(ranks.count).toBe(4)
    expect(ranks.longest).toBe(8)
  })

  it('keeps the last rank of a word listed twice, as zxcvbn-ts does', () => {
    expect(createWordRanks('abc\ndef\nabc').rank('abc')).toBe(3)
  })

  it('compares UTF-16 code units, outside Latin-1 too', () => {
    const ranks = createWordRanks('müller\n東京\n🔑key')
    expect([ranks.rank('müller'), ranks.rank('東京'), ranks.rank('🔑key')]).toEqual([1, 2, 3])
    expect(ranks.rank('muller')).toBeUndefined()
    expect(ranks.longest).toBe(6)
  })

  it('holds an empty list, and lists of thousands of words that collide in the table', () => {
    expect(createWordRanks('').rank('')).toBeUndefined()
    const words = Array.from({ length: 5000 }, (_, k) => `w${k.toString(36)}`)
    const ranks = createWordRanks(words.join('\n'))
    expect(words.every((word, k) => ranks.rank(word) === k + 1)).toBe(true)
    expect(ranks.rank('w')).toBeUndefined()
  })
})

describe('rankedDictionaryView', () => {
  it('reads like the object zxcvbn-ts builds: ranks for words, Object.prototype for the rest', () => {
    const view = rankedDictionaryView(createWordRanks('constructor\nbaseball\n__proto__'))
    const plain: Record<string, unknown> = {}
    ;['constructor', 'baseball', '__proto__'].forEach((word, k) => {
      plain[word] = k + 1
    })
    for (const key of ['constructor', 'baseball', '__proto__', 'toString', 'hasOwnProperty', 'football']) {
      expect(view[key], key).toBe(plain[key])
    }
  })
})
