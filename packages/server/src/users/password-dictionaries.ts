import { readFileSync } from 'node:fs'
import { createWordRanks, type WordRanks } from './word-ranks.js'

/**
 * The password-strength estimator's word lists (users/password-strength.ts), the dictionaries of
 * @zxcvbn-ts/language-common and @zxcvbn-ts/language-en written out as text by
 * `scripts/write-password-dictionaries.mjs`; password-strength.test.ts fails when the installed
 * packages no longer give this file. Read as one buffer and decoded one list at a time, the lists
 * never exist as 236,000 strings: loading them through the packages' modules makes ~30 MB of
 * short-lived heap (their source, the decompression's arrays, a string per word) that V8 keeps
 * committed long after (docs/architecture.md §9, "Memory").
 *
 * Format: `#` comment lines, then for each list a line `= NAME COUNT` followed by its COUNT words,
 * one per line, most common first.
 */
export const PASSWORD_DICTIONARIES_FILE = new URL('../../data/password-dictionaries.txt', import.meta.url)

export interface WordListSource {
  name: string
  version: string
}

/** The file's text for these lists (the packages' `dictionary` exports, merged in this order). */
export function formatPasswordDictionaries(
  lists: Record<string, readonly (string | number)[]>,
  sources: readonly WordListSource[],
): string {
  const lines = [
    "# The password-strength estimator's word lists (packages/server/src/users/password-dictionaries.ts),",
    `# from ${sources.map((source) => `${source.name} ${source.version}`).join(' and ')}`,
    '# (MIT; Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc.; (c) 2021 @zxcvbn-ts).',
    '# Written by packages/server/scripts/write-password-dictionaries.mjs; do not edit.',
  ]
  for (const [name, words] of Object.entries(lists)) {
    lines.push(`= ${name} ${words.length}`)
    for (const word of words) {
      const text = String(word)
      if (text.includes('\n')) throw new Error(`a word of ${name} holds a newline`)
      lines.push(text)
    }
  }
  return `${lines.join('\n')}\n`
}

/** The lists of the file, by name, in the file's order. */
export function readPasswordDictionaries(file: URL | string = PASSWORD_DICTIONARIES_FILE): Map<string, WordRanks> {
  const bytes = readFileSync(file)
  const lists = new Map<string, WordRanks>()
  let at = 0
  const nextLine = (): [number, number] => {
    const end = bytes.indexOf(10, at)
    if (end === -1) throw new Error(`${String(file)}: cut short`)
    const line: [number, number] = [at, end]
    at = end + 1
    return line
  }
  while (at < bytes.length) {
    const [start, end] = nextLine()
    const line = bytes.toString('utf8', start, end)
    if (line.startsWith('#')) continue
    const header = /^= (\S+) (\d+)$/.exec(line)
    if (!header) throw new Error(`${String(file)}: expected "= NAME COUNT", found a word`)
    const [, name = '', count = '0'] = header
    const first = at
    let last = at
    for (let k = 0; k < Number(count); k++) last = nextLine()[1]
    // One string per list, decoded from the buffer; an empty list is an empty string.
    const ranks = createWordRanks(Number(count) === 0 ? '' : bytes.toString('utf8', first, last))
    if (ranks.count !== Number(count)) throw new Error(`${String(file)}: ${name} has ${ranks.count} words, not ${count}`)
    lists.set(name, ranks)
  }
  return lists
}
