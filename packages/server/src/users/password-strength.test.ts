import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type * as ZxcvbnCore from '@zxcvbn-ts/core'
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../test/seeded-random.js'
import { formatPasswordDictionaries, PASSWORD_DICTIONARIES_FILE } from './password-dictionaries.js'
import { createPasswordEstimator, ESTIMATED_CHARACTERS, passwordScore } from './password-strength.js'

// zxcvbn-ts as its documentation builds it: an object per word list (the ~24 MB that
// createPasswordEstimator's compact lists replace, docs/architecture.md §9 "Memory").
const require = createRequire(import.meta.url)
function createStockEstimator() {
  const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as typeof ZxcvbnCore
  const common = require('@zxcvbn-ts/language-common')
  const english = require('@zxcvbn-ts/language-en')
  const lists: Record<string, string[]> = { ...common.dictionary, ...english.dictionary }
  const estimator = new ZxcvbnFactory({
    graphs: common.adjacencyGraphs,
    dictionary: lists,
    translations: english.translations,
  })
  return { estimator, lists }
}

type Estimator = ReturnType<typeof createPasswordEstimator>
const optionsOf = (estimator: Estimator) => (estimator as unknown as { options: ZxcvbnCore.Options }).options

/**
 * Passwords of every kind of match, kept short (the estimator's cost grows with the length):
 * words of every list (first, last and drawn ranks) with their variants (capitals, reversed, l33t,
 * digits), the context's words, patterns, and keys that every plain object inherits.
 */
function corpus(lists: Record<string, string[]>): string[] {
  const next = seededRandom(17)
  const passwords = [
    '12345678901234',
    'aaaaaaaaaaaa',
    'qwertyuiop123',
    'password1234',
    'k3v9q2xw',
    'ann.lee@example.com',
    'ann.leee',
    'Tessera2024',
    'acme id 2024',
    'caf\u00e9 au lait',
    '🔑🎲🌵🧭',
    'P@ssw0rd!',
    'tr0ub4dor&3',
    'drowssap',
    '1qaz2wsx3edc',
    'january2019',
    '11/23/1987',
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
    'valueOf',
    'Constructor1!',
  ]
  for (const words of Object.values(lists)) {
    const first = String(words[0])
    const last = String(words[words.length - 1])
    const drawn = String(words[Math.floor(next() * words.length)])
    passwords.push(first, last.toUpperCase(), [...drawn].reverse().join(''))
    passwords.push(`${drawn.slice(0, 10).replace(/a/g, '@').replace(/e/g, '3').replace(/o/g, '0')}24!`)
  }
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*-_ éü'
  for (let k = 0; k < 3; k++) {
    passwords.push(Array.from({ length: 10 }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''))
  }
  return passwords
}

describe('password strength estimate', () => {
  const { estimator: stock, lists } = createStockEstimator()
  const compact = createPasswordEstimator()

  it('ships the word lists of the installed @zxcvbn-ts language packages (else run scripts/write-password-dictionaries.mjs)', () => {
    const sources = ['@zxcvbn-ts/language-common', '@zxcvbn-ts/language-en'].map((name) => ({
      name,
      version: (require(`${name}/package.json`) as { version: string }).version,
    }))
    expect(readFileSync(PASSWORD_DICTIONARIES_FILE, 'utf8') === formatPasswordDictionaries(lists, sources)).toBe(true)
  })

  it('holds every word of every list at the rank zxcvbn-ts gives it, and no other word', () => {
    const names = Object.keys(lists)
    expect(Object.keys(optionsOf(compact).rankedDictionaries)).toEqual(names)
    expect(optionsOf(compact).rankedDictionariesMaxWordSize).toEqual(optionsOf(stock).rankedDictionariesMaxWordSize)
    let compared = 0
    const differing: string[] = []
    for (const name of names) {
      const expected = optionsOf(stock).rankedDictionaries[name] as Record<string, unknown>
      const actual = optionsOf(compact).rankedDictionaries[name] as Record<string, unknown>
      for (const word of lists[name] as string[]) {
        compared++
        if (actual[word] !== expected[word]) differing.push(`${name}: ${word}`)
        // Of the same length, differing in the last character: in neither list.
        const other = `${word.slice(0, -1)}\u0000`
        if (actual[other] !== expected[other]) differing.push(`${name}: ${other}`)
      }
    }
    expect(compared).toBeGreaterThan(200_000)
    expect(differing).toEqual([])
  })

  it('gives the same estimate as zxcvbn-ts with its own word lists, match for match', () => {
    const context = ['ann.lee@example.com', 'ann.lee', 'tessera', 'Acme ID']
    const passwords = corpus(lists)
    expect(passwords.length).toBeGreaterThan(100)
    for (const password of passwords) {
      const { calcTime: _a, ...expected } = stock.check(password, context)
      const { calcTime: _b, ...actual } = compact.check(password, context)
      expect(actual, password).toStrictEqual(expected)
    }
  })

  it('scores a listed password 0 and a long random one 4', () => {
    expect(passwordScore('password1', [])).toBe(0)
    expect(passwordScore('k3v9q2xw7m4p8t6z', [])).toBe(4)
  })

  it('reads only the first 32 characters, so a long password costs no more than 32 (denial of service)', () => {
    const random = 'k3v9q2xw7m4p8t6zr5n1b8c4d7f2g9h6j3l0s5t8u1w4y7e2i5o8'.repeat(2)
    // A weak start stays weak, whatever follows; the whole string would have scored 4.
    const weakStart = `${'a'.repeat(32)}${random}`
    expect(createPasswordEstimator().check(weakStart).score).toBe(4)
    expect(passwordScore(weakStart, [])).toBe(0)
    // A long random password is still strong; the limit counts characters, not UTF-16 units.
    expect(passwordScore(`${random}${random}`, [])).toBe(4)
    expect(ESTIMATED_CHARACTERS).toBe(32)
    // 16 emoji are 32 UTF-16 units: the 16 random characters after them are still read.
    const emoji = '😀'.repeat(16)
    expect(passwordScore(emoji, [])).toBeLessThan(3)
    expect(passwordScore(`${emoji}${random}`, [])).toBe(4)
  })
})
