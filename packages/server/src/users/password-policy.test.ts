import { describe, expect, it } from 'vitest'
import { TesseraError } from '../shared/errors.js'
import { loadPasswordList } from './common-passwords.js'
import { checkNewPassword, checkPasswordSize, type PasswordPolicy } from './password-policy.js'
import { passwordScore } from './password-strength.js'

const policy: PasswordPolicy = {
  minLength: 8,
  maxLength: 64,
  maxBytes: 256,
  blocklist: new Set(['iloveyou2', 'baseball1']),
  minStrength: 3,
  serviceName: 'Acme ID',
  // In this thread: the rules, not the worker, are under test here (password-estimate-pool.test.ts).
  estimator: { score: async (password, words) => passwordScore(password, words) },
}
const context = { email: 'ann.lee@example.com' }

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run()
  } catch (error) {
    if (error instanceof TesseraError) return error.code
    throw error
  }
  return 'accepted'
}

describe('checkNewPassword (NIST SP 800-63B)', () => {
  it('accepts any long enough password that is hard to guess, without composition rules', async () => {
    expect(await checkNewPassword('all lower case words', policy, context)).toBe('all lower case words')
    expect(await codeOf(() => checkNewPassword('k3v9q2xw7m4p8t6z', policy, context))).toBe('accepted')
  })

  it('counts characters, not bytes or UTF-16 units', async () => {
    expect(await codeOf(() => checkNewPassword('🔑🔑🔑🔑🔑🔑🔑', policy, context))).toBe('password_too_short')
    expect(await codeOf(() => checkNewPassword('🔑🎲🌵🧭🪁🛶🧩🎻', policy, context))).toBe('accepted')
  })

  it('refuses passwords below the minimum and above the maximum length', async () => {
    expect(await codeOf(() => checkNewPassword('short12', policy, context))).toBe('password_too_short')
    expect(await codeOf(() => checkNewPassword('x'.repeat(65), policy, context))).toBe('password_too_long')
    const sixtyFour = 'k3v9q2xw7m4p8t6z1r5y0b2n8c4j7h3g6f1d9s5a0l2e8u4i7o3w6q9v2x5m8p1t'
    expect(sixtyFour).toHaveLength(64)
    expect(await codeOf(() => checkNewPassword(sixtyFour, policy, context))).toBe('accepted')
  })

  it('applies the byte cap before anything else', async () => {
    expect(await codeOf(() => checkPasswordSize('é'.repeat(129), policy))).toBe('password_too_long')
    expect(await codeOf(() => checkNewPassword('é'.repeat(129), policy, context))).toBe('password_too_long')
  })

  it('normalises to NFC, so composed and decomposed forms are one password', async () => {
    expect(await checkNewPassword('cafe\u0301 au lait', policy, context)).toBe('caf\u00e9 au lait')
  })

  it('refuses listed passwords whatever their case, with a reason', async () => {
    try {
      await checkNewPassword('ILoveYou2', policy, context)
      expect.unreachable()
    } catch (error) {
      expect((error as TesseraError).code).toBe('password_too_common')
      expect((error as TesseraError).detail).toMatch(/common or breached/)
    }
  })

  it('refuses what a strength estimator guesses at once: sequences, repeats, keyboard walks, common words with digits', async () => {
    for (const weak of ['123456789012345', '12345678901234', 'aaaaaaaaaaaa', 'qwertyuiop123', 'password1234']) {
      expect(await codeOf(() => checkNewPassword(weak, policy, context)), weak).toBe('password_too_common')
    }
    try {
      await checkNewPassword('123456789012345', policy, context)
    } catch (error) {
      expect((error as TesseraError).detail).toMatch(/easy to guess/)
    }
  })

  it('counts the email, its name part and the service names as guessable words, not as forbidden ones', async () => {
    expect(await codeOf(() => checkNewPassword('ann.lee@example.com', policy, context))).toBe('password_too_common')
    expect(await codeOf(() => checkNewPassword('ann.leee', policy, { email: 'ann.leee@example.com' }))).toBe('password_too_common')
    expect(await codeOf(() => checkNewPassword('Tessera2024', policy, context))).toBe('password_too_common')
    expect(await codeOf(() => checkNewPassword('acme id 2024', policy, context))).toBe('password_too_common')
    // A long random password that happens to contain them is strong: no veto on the word itself.
    expect(await codeOf(() => checkNewPassword('Xk9#tesseraQ2v!mLp7', policy, context))).toBe('accepted')
    expect(await codeOf(() => checkNewPassword('ann.lee trusts violet marmalade', policy, context))).toBe('accepted')
  })

  it('leaves the estimate out at minStrength 0, keeping the length rules and the list', async () => {
    const lenient = { ...policy, minStrength: 0 }
    expect(await codeOf(() => checkNewPassword('123456789012345', lenient, context))).toBe('accepted')
    expect(await codeOf(() => checkNewPassword('iloveyou2', lenient, context))).toBe('password_too_common')
    expect(await codeOf(() => checkNewPassword('short12', lenient, context))).toBe('password_too_short')
  })
})

describe('the shipped common-password list', () => {
  const list = loadPasswordList()

  it('holds thousands of entries, all 8+ characters and lower-case', () => {
    expect(list.size).toBeGreaterThan(10_000)
    for (const entry of list) {
      expect([...entry].length).toBeGreaterThanOrEqual(8)
      expect(entry).toBe(entry.toLowerCase())
    }
  })

  it('contains the passwords every breach list starts with', () => {
    for (const entry of ['password', '12345678', 'qwertyuiop', 'iloveyou', 'sunshine']) expect(list.has(entry)).toBe(true)
    expect(list.has('# common and breached passwords')).toBe(false)
  })
})
