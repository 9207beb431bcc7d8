import { createRequire } from 'node:module'
import type * as ZxcvbnCore from '@zxcvbn-ts/core'
import { withoutYoungGrowth } from '../shared/young-generation.js'
import { readPasswordDictionaries } from './password-dictionaries.js'
import { rankedDictionaryView } from './word-ranks.js'

/**
 * How hard a password is to guess, 0 (trivially) to 4 (very hard), estimated by zxcvbn-ts with its
 * common and English dictionaries, keyboard graphs and patterns (dates, sequences, repeats, l33t).
 * NIST SP 800-63B §3.1.1.2 lets a verifier refuse passwords an attacker would try first; an
 * estimator refuses `123456789012345` and `ann.lee@example.com` while it accepts a long random
 * password that happens to contain a listed word, which a blocklist or a veto on words cannot do.
 *
 * The words of the context (the email, its name part, the service's name) are given to the
 * estimator as user inputs: they make a password that leans on them weaker, never forbidden.
 *
 * The dictionaries are megabytes, so they load with the first new password rather than at start
 * (docs/architecture.md §9, "Memory"), synchronously (a file read and CommonJS modules). They are
 * long-lived, so they load with V8's young generation held (shared/young-generation.ts; a no-op in
 * the worker thread that runs the server's estimates, users/password-estimate-pool.ts).
 */
const require = createRequire(import.meta.url)

type Estimator = InstanceType<typeof ZxcvbnCore.ZxcvbnFactory>

let estimator: Estimator | undefined

/**
 * zxcvbn-ts with the common and English dictionaries read from data/password-dictionaries.txt
 * (users/password-dictionaries.ts), each held as a `WordRanks` (users/word-ranks.ts) instead of
 * the object per list that zxcvbn-ts builds: the same words at the same ranks, so the same
 * estimates (password-strength.test.ts compares the two, word for word and match for match), in
 * ~6 MB instead of ~26 MB, and without the ~30 MB of garbage of loading the packages' lists.
 * The keyboard graphs and the English feedback come from the packages' own modules.
 */
export function createPasswordEstimator(file?: URL | string): Estimator {
  const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as typeof ZxcvbnCore
  const graphs = require('@zxcvbn-ts/language-common/dist/adjacencyGraphs.json.cjs')
  const translations = require('@zxcvbn-ts/language-en/dist/translations.cjs')
  const created = new ZxcvbnFactory({ graphs, translations })
  const ranked: Record<string, Record<string, number>> = {}
  const longest: Record<string, number> = {}
  for (const [name, ranks] of readPasswordDictionaries(file)) {
    ranked[name] = rankedDictionaryView(ranks)
    // As zxcvbn-ts's Options.getRankedDictionariesMaxWordSize: the matchers skip longer substrings.
    longest[name] = ranks.longest
  }
  // zxcvbn-ts takes word lists only as arrays, and builds its objects from them; its matchers read
  // the lists from its Options (private to the factory in its types), set here instead. The test
  // holds the result to zxcvbn-ts's own, so a version that moves them fails there, not silently.
  const options = (created as unknown as { options?: ZxcvbnCore.Options }).options
  if (typeof options?.rankedDictionaries !== 'object') throw new Error('@zxcvbn-ts/core: no options.rankedDictionaries')
  options.rankedDictionaries = ranked
  options.rankedDictionariesMaxWordSize = longest
  return created
}

/**
 * How many characters of a password the estimator reads. zxcvbn's work grows faster than the length
 * (every substring against every list, then the cheapest decomposition), and it ran on the event
 * loop (now in a worker thread, users/password-estimate-pool.ts, where the cap still bounds what one
 * request costs it): on the 2-core bench machine a random 128-character password took 1.0–2.0 s, 64 characters
 * ~0.45 s, 32 characters a median of 0.15 s (0.27 at most), so one request at `password.maxLength`
 * stalled every other request for seconds (a denial of service, OWASP Denial of Service Cheat Sheet: bound the work an input can
 * cause). zxcvbn's guesses for a string are at least those of its first characters (each further
 * character multiplies in a match or brute force), so reading the first 32 may refuse a long
 * password that starts weakly, and never accepts one weaker than its start. The common-password
 * list (password-policy.ts) is still checked against the whole password.
 */
export const ESTIMATED_CHARACTERS = 32

/** Loads the dictionaries now, if not yet (the estimate thread does so before it says it is ready). */
export function loadPasswordEstimator(): Estimator {
  estimator ??= withoutYoungGrowth(createPasswordEstimator)
  return estimator
}

export function passwordScore(password: string, contextWords: readonly string[]): number {
  // Characters (code points), not UTF-16 units, as password.maxLength counts them.
  return loadPasswordEstimator().check(Array.from(password).slice(0, ESTIMATED_CHARACTERS).join(''), [...contextWords]).score
}
