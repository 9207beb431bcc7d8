import { createRequire } from 'node:module'
import type * as ZxcvbnCore from '@zxcvbn-ts/core'
import { withoutYoungGrowth } from '../shared/young-generation.js'

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
 * The dictionaries are megabytes of heap, so they load with the first new password rather than at
 * start (docs/architecture.md, "Memory"); both packages are CommonJS, so the check stays synchronous.
 * They are all long-lived, so they load with V8's young generation held (shared/young-generation.ts):
 * otherwise loading them grows it to its maximum (2 × 16 MB), kept for good.
 */
const require = createRequire(import.meta.url)

let estimator: InstanceType<typeof ZxcvbnCore.ZxcvbnFactory> | undefined

function load(): InstanceType<typeof ZxcvbnCore.ZxcvbnFactory> {
  const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as typeof ZxcvbnCore
  const common = require('@zxcvbn-ts/language-common')
  const english = require('@zxcvbn-ts/language-en')
  return new ZxcvbnFactory({
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...english.dictionary },
    translations: english.translations,
  })
}

export function passwordScore(password: string, contextWords: readonly string[]): number {
  estimator ??= withoutYoungGrowth(load)
  return estimator.check(password, [...contextWords]).score
}
