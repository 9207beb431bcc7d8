/**
 * A ranked word list (word → its 1-based position) in one string and two typed arrays instead of an
 * object with a property per word: the password-strength estimator's 236,000 words, which as
 * zxcvbn-ts builds them (an object per list, every word a string of its own) are ~26 MB of heap,
 * are ~2 MB of strings here plus ~3.5 MB of typed arrays (docs/architecture.md §9, "Memory").
 *
 * `text` is the words in rank order, separated by newlines (a word never holds one); `starts`
 * holds where each begins; `slots` is an open-addressing hash table (linear probing, at most half
 * full) of ranks. A lookup hashes the word, then compares it character by character with the
 * candidates: no string is made, per word or per lookup.
 */
export interface WordRanks {
  /** The word's rank (1 for the first word of the list), or undefined. */
  rank(word: string): number | undefined
  /** How many words the list has, and the length of its longest (UTF-16 code units). */
  readonly count: number
  readonly longest: number
}

const EMPTY = 0
const NEWLINE = 10

/** FNV-1a over the UTF-16 code units of `source` from `from` to `to` (excluded). */
function hash(source: string, from: number, to: number): number {
  let h = 0x811c9dc5
  for (let k = from; k < to; k++) h = Math.imul(h ^ source.charCodeAt(k), 0x01000193)
  return h >>> 0
}

/** `text`: the words, most common first, separated by newlines (no newline at the end). */
export function createWordRanks(text: string): WordRanks {
  let count = text.length === 0 ? 0 : 1
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === NEWLINE) count++
  // starts[count] is one past the end, as if a newline followed the last word.
  const starts = new Uint32Array(count + 1)
  let longest = 0
  for (let r = 0, k = 0; r < count; r++) {
    starts[r] = k
    while (k < text.length && text.charCodeAt(k) !== NEWLINE) k++
    longest = Math.max(longest, k - (starts[r] as number))
    k++
  }
  starts[count] = text.length + 1
  let capacity = 8
  while (capacity < count * 2) capacity *= 2
  const mask = capacity - 1
  const slots = new Int32Array(capacity)

  /** Whether entry `index` is `source` from `from` to `to` (excluded). */
  const equalsEntry = (index: number, source: string, from: number, to: number): boolean => {
    const start = starts[index] as number
    if ((starts[index + 1] as number) - start - 1 !== to - from) return false
    for (let k = from; k < to; k++) if (text.charCodeAt(start + k - from) !== source.charCodeAt(k)) return false
    return true
  }
  /** The slot that holds the word, or the empty slot where it would go. */
  const find = (source: string, from: number, to: number): number => {
    for (let slot = hash(source, from, to) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot] as number
      if (entry === EMPTY || equalsEntry(entry - 1, source, from, to)) return slot
    }
  }
  for (let r = 0; r < count; r++) {
    // A word listed twice keeps its last rank, as zxcvbn-ts's own `buildRankedDictionary` does.
    slots[find(text, starts[r] as number, (starts[r + 1] as number) - 1)] = r + 1
  }
  return {
    count,
    longest,
    rank(word) {
      const entry = slots[find(word, 0, word.length)] as number
      return entry === EMPTY ? undefined : entry
    },
  }
}

/**
 * The word list as the plain object zxcvbn-ts's matchers read (`ranked[word]`), backed by
 * `WordRanks`: a word of the list gives its rank; any other key reads through to
 * `Object.prototype`, as it does on zxcvbn-ts's own object (a word such as `constructor` that is
 * not in a list matches there too, and so here), and `__proto__`, which zxcvbn-ts's object cannot
 * hold as a word, is never one here either: the estimates are the same, word for word.
 */
export function rankedDictionaryView(ranks: WordRanks): Record<string, number> {
  return new Proxy({} as Record<string, number>, {
    get(target, key, receiver) {
      if (typeof key === 'string' && key !== '__proto__') {
        const rank = ranks.rank(key)
        if (rank !== undefined) return rank
      }
      return Reflect.get(target, key, receiver)
    },
  })
}
